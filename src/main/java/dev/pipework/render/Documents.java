package dev.pipework.render;

import dev.pipework.json.Json;
import dev.pipework.model.Guest;
import dev.pipework.model.PoolAddress;
import dev.pipework.model.PoolUse;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Overlay;
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

    /** The commands a plan would run, each as its argv, and the addresses the pools would give for it. */
    static Map<String, Object> dryRun(Plan plan, List<PoolAddress> given) {
        List<Object> commands = new ArrayList<>();
        plan.steps().forEach(step -> commands.add(step.argv()));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("dryRun", true);
        if (!given.isEmpty()) {
            doc.put("pools", given.stream().map(Documents::given).toList());
        }
        doc.put("commands", commands);
        return doc;
    }

    /**
     * The attachments found, each with what the pools keep for its interface; then, when
     * {@code status} named no guest, the host's overlays.
     */
    static Map<String, Object> status(Renderer.Status status) {
        List<Object> items = new ArrayList<>();
        for (Attachment a : status.attachments()) {
            Map<String, Object> item = attachment(a);
            List<PoolAddress> kept = Renderer.kept(a, status.pools());
            if (!kept.isEmpty()) {
                Json.object(item.get("interface")).put("pools", kept.stream().map(Documents::given).toList());
            }
            items.add(item);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("attachments", items);
        if (status.overlaysShown()) {
            List<Object> overlays = new ArrayList<>();
            for (Overlay o : status.overlays()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", o.bridge());
                m.put("kind", o.ovs() ? "ovs" : "linux");
                m.put("vni", (long) o.vni());
                m.put("underlay", o.underlay());
                m.put("local", o.local());
                m.put("peers", o.peers());
                m.put("mtu", (long) o.mtu());
                m.put("tunnels", o.tunnels());
                overlays.add(m);
            }
            doc.put("overlays", overlays);
        }
        return doc;
    }

    /** The interface an attach made, with the routes its plan added and the addresses pools gave. */
    static Map<String, Object> attached(Attachment attachment, Plan plan, List<PoolAddress> given) {
        Map<String, Object> doc = attachment(attachment);
        Json.object(doc.get("interface")).put("routes", plan.routesAdded());
        if (!given.isEmpty()) {
            doc.put("pools", given.stream().map(Documents::given).toList());
        }
        return doc;
    }

    /** The pools and their use ({@code pool ls}). */
    static Map<String, Object> pools(List<PoolUse> pools) {
        List<Object> items = new ArrayList<>();
        for (PoolUse u : pools) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", u.pool().name());
            p.put("subnet", u.pool().subnet().toString());
            p.put("gateway", u.pool().gateway().map(Object::toString).orElse(null));
            p.put("ranges", u.pool().ranges().stream().map(Object::toString).toList());
            p.put("excluded", u.pool().exclusions().stream().map(Object::toString).toList());
            p.put("size", u.capacity());
            p.put("held", u.held());
            p.put("cooling", u.cooling());
            p.put("free", Math.max(0, u.capacity() - u.held() - u.cooling()));
            items.add(p);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pools", items);
        return doc;
    }

    private static Map<String, Object> given(PoolAddress g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pool", g.pool());
        m.put("address", g.address());
        m.put("given", g.fresh());
        return m;
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
        if (!a.leases().isEmpty()) {
            List<Object> leases = new ArrayList<>();
            for (var l : a.leases()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("client", l.client());
                m.put("family", l.key().endsWith("-v6") ? "inet6" : "inet");
                m.put("address", l.address().orElse(null));
                m.put("server", l.server().orElse(null));
                m.put("expires", l.expires().orElse(null));
                leases.add(m);
            }
            inside.put("leases", leases);
        }
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
