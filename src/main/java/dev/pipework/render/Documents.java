package dev.pipework.render;

import dev.pipework.json.Json;
import dev.pipework.model.Guest;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The documents of the structured formats, each built once in a form no format owns: a tree of
 * the values {@code dev.pipework.json} reads and writes (maps in member order, lists, strings,
 * numbers, booleans, {@code null}). A {@link DocumentRenderer} only serialises them.
 */
final class Documents {
    private Documents() {
    }

    /** The commands a plan would run, each as its argv. */
    static Map<String, Object> dryRun(Plan plan) {
        List<Object> commands = new ArrayList<>();
        plan.steps().forEach(step -> commands.add(step.argv()));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("dryRun", true);
        doc.put("commands", commands);
        return doc;
    }

    /** The attachments found. */
    static Map<String, Object> status(List<Attachment> attachments) {
        List<Object> items = new ArrayList<>();
        attachments.forEach(a -> items.add(attachment(a)));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("attachments", items);
        return doc;
    }

    /** The interface an attach made, with the routes its plan added. */
    static Map<String, Object> attached(Attachment attachment, Plan plan) {
        Map<String, Object> doc = attachment(attachment);
        Json.object(doc.get("interface")).put("routes", plan.routesAdded());
        return doc;
    }

    /** What {@code apply} did, one entry per declaration. */
    static Map<String, Object> applied(List<Renderer.Applied> outcomes) {
        List<Object> actions = new ArrayList<>();
        for (Renderer.Applied o : outcomes) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("container", o.container());
            a.put("source", o.source());
            a.put("declaration", o.declaration());
            a.put("interface", o.iface().orElse(null));
            a.put("action", o.action());
            a.put("message", o.message());
            actions.add(a);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("actions", actions);
        return doc;
    }

    /** One attachment: its guest, the interface in the guest, and the host side. */
    static Map<String, Object> attachment(Attachment a) {
        Guest guest = a.guest();
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("name", guest.displayName());
        g.put("id", guest.id().orElse(null));
        g.put("pid", guest.pid() > 0 ? guest.pid() : null);
        g.put("kind", guest.runtime().key());
        Map<String, Object> inside = new LinkedHashMap<>();
        inside.put("name", a.containerInterface());
        inside.put("mac", a.mac());
        inside.put("mtu", a.mtu());
        inside.put("state", a.state());
        inside.put("addresses", a.addresses());
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("interface", a.hostInterface().orElse(null));
        host.put("bridge", a.bridge().orElse(null));
        host.put("kind", a.kind().key());
        host.put("vlan", a.vlan().orElse(null));
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("guest", g);
        all.put("interface", inside);
        all.put("host", host);
        return all;
    }
}
