package dev.pipework.render;

import dev.pipework.json.Json;
import dev.pipework.model.Guest;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Overlay;
import dev.pipework.plan.Plan;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON documents, pretty-printed, one per command. */
public final class JsonRenderer implements Renderer {

    @Override
    public void dryRun(Plan plan, PrintStream out) {
        List<Object> commands = new ArrayList<>();
        plan.steps().forEach(step -> commands.add(step.argv()));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("dryRun", true);
        doc.put("commands", commands);
        out.println(Json.writePretty(doc));
    }

    @Override
    public void status(List<Attachment> attachments, PrintStream out) {
        out.println(Json.writePretty(statusDocument(attachments)));
    }

    /** The attachments, then {@code overlays}: one object each, with its settings. */
    @Override
    public void status(List<Attachment> attachments, List<Overlay> overlays, PrintStream out) {
        Map<String, Object> doc = statusDocument(attachments);
        List<Object> items = new ArrayList<>();
        for (Overlay o : overlays) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", o.bridge());
            m.put("kind", o.ovs() ? "ovs" : "linux");
            m.put("vni", (long) o.vni());
            m.put("underlay", o.underlay());
            m.put("local", o.local());
            m.put("peers", o.peers());
            m.put("mtu", (long) o.mtu());
            m.put("tunnels", o.tunnels());
            items.add(m);
        }
        doc.put("overlays", items);
        out.println(Json.writePretty(doc));
    }

    private static Map<String, Object> statusDocument(List<Attachment> attachments) {
        List<Object> items = new ArrayList<>();
        attachments.forEach(a -> items.add(attachment(a)));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("attachments", items);
        return doc;
    }

    @Override
    public void attached(Attachment attachment, Plan plan, PrintStream out) {
        Map<String, Object> doc = attachment(attachment);
        Json.object(doc.get("interface")).put("routes", plan.routesAdded());
        out.println(Json.writePretty(doc));
    }

    @Override
    public void applied(List<Applied> outcomes, PrintStream out) {
        List<Object> actions = new ArrayList<>();
        for (Applied o : outcomes) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("container", o.container());
            a.put("source", o.source());
            a.put("declaration", o.declaration());
            a.put("interface", o.iface().orElse(null));
            a.put("action", o.action());
            a.put("message", o.message());
            actions.add(a);
        }
        out.println(Json.writePretty(Map.of("actions", actions)));
    }

    @Override
    public boolean showsResult() {
        return true;
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
