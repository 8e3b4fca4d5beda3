package dev.pipework.render;

import dev.pipework.model.Guest;
import dev.pipework.plan.AttachKind;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Overlay;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The host's plumbing as a Graphviz DOT document: the bridges (and their kind), the NICs that
 * macvlan, IPoIB and moved-whole attachments hang off, the shims, and each guest as a cluster of its
 * interfaces with their addresses, joined to the host by edges that carry the host end and VLAN tag.
 *
 * <p>Every name is data read from the machine (a guest may be called {@code "];}): each goes into
 * the document only as a quoted, escaped DOT string, and node IDs are built from kinds and names
 * the same way. Everything is sorted, so that one machine gives one document.
 */
final class DotGraph {
    private DotGraph() {
    }

    /** A host-side node: a bridge, a NIC, a veth left on no bridge. */
    private record HostNode(String id, String label, String shape) {
    }

    /** One edge from a guest's interface to a host-side node. */
    private record Edge(String from, String to, String label) {
    }

    static String of(List<Attachment> attachments) {
        return of(attachments, List.of());
    }

    /** With the host's overlays: each bridge's VXLAN segment over its underlay NIC, to each peer. */
    static String of(List<Attachment> attachments, List<Overlay> overlays) {
        Map<String, HostNode> hostNodes = new TreeMap<>();
        List<Edge> overlayEdges = new ArrayList<>();
        for (Overlay o : overlays) {
            String id = "bridge/" + o.bridge();
            hostNodes.put(id, new HostNode(id, o.bridge() + "\n" + (o.ovs() ? "Open vSwitch bridge" : "Linux bridge")
                    + "\noverlay, VNI " + o.vni() + ", MTU " + o.mtu(), "box"));
            String nic = nicId(o.underlay());
            hostNodes.putIfAbsent(nic, new HostNode(nic, o.underlay() + "\nNIC", "box3d"));
            overlayEdges.add(new Edge(id, nic, "VXLAN " + o.vni() + " from " + o.local()));
            for (String peer : o.peers()) {
                String peerId = "peer/" + peer;
                hostNodes.putIfAbsent(peerId, new HostNode(peerId, peer + "\npeer host", "cds"));
                overlayEdges.add(new Edge(nic, peerId, "VNI " + o.vni()));
            }
        }
        Map<String, List<Attachment>> guests = new TreeMap<>();
        Map<String, Guest> guestOf = new TreeMap<>();
        List<Attachment> shims = new ArrayList<>();
        for (Attachment a : attachments) {
            if (a.kind() == AttachKind.SHIM) {
                shims.add(a);
                continue;
            }
            String key = guestKey(a.guest());
            guests.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
            guestOf.putIfAbsent(key, a.guest());
        }
        TreeSet<String> edges = new TreeSet<>();
        List<Edge> edgeList = new ArrayList<>(overlayEdges);
        StringBuilder clusters = new StringBuilder();
        for (Map.Entry<String, List<Attachment>> g : guests.entrySet()) {
            Guest guest = guestOf.get(g.getKey());
            List<Attachment> interfaces = new ArrayList<>(g.getValue());
            interfaces.sort(Comparator.comparing(Attachment::containerInterface));
            clusters.append("  subgraph ").append(quote("cluster " + g.getKey())).append(" {\n")
                    .append("    label=").append(quote(guest.displayName() + "\n" + guest.runtime().key()
                            + guest.id().map(id -> " " + id.substring(0, Math.min(12, id.length()))).orElse("")))
                    .append(";\n    style=rounded;\n");
            for (Attachment a : interfaces) {
                String ifId = g.getKey() + "/" + a.containerInterface();
                clusters.append("    ").append(quote(ifId)).append(" [shape=ellipse, label=")
                        .append(quote(interfaceLabel(a))).append("];\n");
                hostSide(a, hostNodes).ifPresent(to -> edgeList.add(new Edge(ifId, to, edgeLabel(a))));
            }
            clusters.append("  }\n");
        }
        for (Attachment shim : shims) {
            String nic = nicId(shim.hostInterface().orElse("?"));
            hostNodes.putIfAbsent(nic, new HostNode(nic, shim.hostInterface().orElse("?") + "\nNIC", "box3d"));
            String id = "shim/" + shim.containerInterface();
            hostNodes.put(id, new HostNode(id, interfaceLabel(shim) + "\nshim (host)", "hexagon"));
            edgeList.add(new Edge(id, nic, "macvlan"));
        }
        StringBuilder dot = new StringBuilder("graph pipework {\n")
                .append("  graph [rankdir=LR, fontname=\"sans-serif\"];\n")
                .append("  node [fontname=\"sans-serif\"];\n")
                .append("  edge [fontname=\"sans-serif\", fontsize=10];\n");
        for (HostNode n : hostNodes.values()) {
            dot.append("  ").append(quote(n.id())).append(" [shape=").append(n.shape()).append(", label=")
                    .append(quote(n.label())).append("];\n");
        }
        dot.append(clusters);
        edgeList.sort(Comparator.comparing(Edge::from).thenComparing(Edge::to).thenComparing(Edge::label));
        for (Edge e : edgeList) {
            String line = "  " + quote(e.from()) + " -- " + quote(e.to()) + " [label=" + quote(e.label()) + "];\n";
            if (edges.add(line)) {
                dot.append(line);
            }
        }
        return dot.append("}\n").toString();
    }

    /** The host-side node an attachment hangs off (added to {@code nodes}), when it has one. */
    private static Optional<String> hostSide(Attachment a, Map<String, HostNode> nodes) {
        String host = a.hostInterface().orElse(null);
        switch (a.kind().anchor()) {
            case BRIDGE -> {
                String bridge = a.bridge().orElse("?");
                String id = "bridge/" + bridge;
                nodes.putIfAbsent(id, new HostNode(id, bridge + "\n"
                        + (a.kind() == AttachKind.OVS ? "Open vSwitch bridge" : "Linux bridge"), "box"));
                return Optional.of(id);
            }
            case VETH -> {
                if (host == null) {
                    return Optional.empty();
                }
                String id = "veth/" + host;
                nodes.putIfAbsent(id, new HostNode(id, host + "\nveth, on no bridge", "box"));
                return Optional.of(id);
            }
            case NIC -> {
                if (host == null) {
                    return Optional.empty();
                }
                String id = nicId(host);
                nodes.putIfAbsent(id, new HostNode(id, host + "\nNIC", "box3d"));
                return Optional.of(id);
            }
            case NONE -> {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String nicId(String nic) {
        return "nic/" + nic;
    }

    /** What joins an interface to the host: its kind, the host end and the VLAN tag. */
    private static String edgeLabel(Attachment a) {
        StringBuilder label = new StringBuilder(a.kind().key());
        if (a.kind().anchor() == AttachKind.Anchor.BRIDGE) {
            a.hostInterface().ifPresent(h -> label.append(' ').append(h));
        }
        if (a.kind() == AttachKind.DIRECT) {
            label.append(" (moved whole)");
        }
        a.vlan().ifPresent(v -> label.append("\nvlan ").append(v));
        return label.toString();
    }

    private static String interfaceLabel(Attachment a) {
        StringBuilder label = new StringBuilder(a.containerInterface());
        if (a.kind() == AttachKind.DUMMY) {
            label.append(" (dummy)");
        }
        for (String address : a.addresses()) {
            label.append('\n').append(address);
        }
        return label.toString();
    }

    /** A guest's key: its runtime, name and namespace, which tell two guests of one name apart. */
    private static String guestKey(Guest g) {
        return g.runtime().key() + "/" + g.displayName() + "/" + g.netnsInode();
    }

    /**
     * A DOT quoted string: a backslash and a double quote escaped, a line break as DOT's centred
     * {@code \n}, other control characters dropped (DOT has no escape for them).
     */
    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> q.append("\\\\");
                case '"' -> q.append("\\\"");
                case '\n' -> q.append("\\n");
                default -> {
                    if (c >= ' ' && c != 0x7f) {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
