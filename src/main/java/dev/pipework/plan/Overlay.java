package dev.pipework.plan;

import dev.pipework.model.Family;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An overlay: a bridge and a VXLAN segment of it. Its settings live on the machine, in the mark on
 * its bridge (the Linux bridge's alias {@code pipework overlay <settings>}) or on its Open vSwitch
 * tunnel ports ({@code external-ids:pipework.overlay=<settings>}), where {@code status} and
 * {@code overlay rm} read them; no file holds them.
 *
 * @param bridge   the bridge, the overlay's name
 * @param ovs      an Open vSwitch bridge rather than a Linux one
 * @param local    the underlay address the VXLAN packets leave from
 * @param tunnels  the kernel {@code vxlan} device, or the Open vSwitch tunnel ports (one per peer)
 */
public record Overlay(String bridge, boolean ovs, int vni, String underlay, String local, List<String> peers,
                      int mtu, List<String> tunnels) {
    /** The VXLAN port the IANA assigned, which Linux and Open vSwitch both default to only sometimes. */
    public static final int DSTPORT = 4789;
    public static final int MAX_VNI = 16_777_215;
    /** The alias of a Linux bridge that is an overlay's starts so. */
    static final String ALIAS_PREFIX = Alias.HOST_END + " overlay ";
    /** The Open vSwitch external-id of an overlay's tunnel ports: its settings. */
    static final String OVS_KEY = "pipework.overlay";
    static final String OVS_PEER_KEY = "pipework.peer";
    /** The peers of an overlay that follows etcd, as its mark holds them. */
    public static final String ETCD = "etcd";
    /** {@code IFALIASZ} less its terminating NUL. */
    static final int MAX_ALIAS = 255;

    public Overlay {
        peers = List.copyOf(peers);
        tunnels = List.copyOf(tunnels);
    }

    /** Whether the peers are those registered in etcd (its keeper keeps them), not a list of its own. */
    public boolean etcd() {
        return peers.equals(List.of(ETCD));
    }

    /** The underlay's family: what the peers and the local address are. */
    public Family family() {
        return local.contains(":") ? Family.INET6 : Family.INET;
    }

    /** What VXLAN adds to each frame: outer IP, UDP, VXLAN and inner Ethernet headers. */
    public static int overhead(Family family) {
        return family == Family.INET6 ? 70 : 50;
    }

    /** The settings as the mark holds them. */
    String settings() {
        return "vni " + vni + " underlay " + underlay + " local " + local + " peers " + String.join(",", peers)
                + " mtu " + mtu;
    }

    /** The kernel {@code vxlan} device of a Linux bridge's overlay. */
    static String vxlanDevice(String bridge) {
        String name = "vx-" + bridge;
        return name.length() <= Names.MAX ? name : "vx" + Names.shortHash(bridge);
    }

    /** The Open vSwitch tunnel port of an overlay towards one peer. */
    static String tunnelPort(String bridge, String peer) {
        return "vx" + Names.shortHash(bridge + "/" + peer);
    }

    /**
     * The overlay a mark describes, when it is well formed: every word pair in its place. A mark
     * that is not one is no overlay.
     */
    static Optional<Overlay> fromSettings(String bridge, boolean ovs, String settings, List<String> tunnels) {
        String[] w = settings.trim().split(" ");
        if (w.length != 10 || !w[0].equals("vni") || !w[2].equals("underlay") || !w[4].equals("local")
                || !w[6].equals("peers") || !w[8].equals("mtu")) {
            return Optional.empty();
        }
        try {
            int vni = Integer.parseInt(w[1]);
            int mtu = Integer.parseInt(w[9]);
            if (vni < 1 || vni > MAX_VNI) {
                return Optional.empty();
            }
            return Optional.of(new Overlay(bridge, ovs, vni, w[3], w[5], List.of(w[7].split(",")), mtu, tunnels));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The overlay whose mark a Linux bridge's alias is, if it is one. */
    static Optional<Overlay> fromAlias(String bridge, String alias) {
        if (!alias.startsWith(ALIAS_PREFIX)) {
            return Optional.empty();
        }
        return fromSettings(bridge, false, alias.substring(ALIAS_PREFIX.length()), List.of(vxlanDevice(bridge)));
    }

    /** Every overlay on the host: Linux bridges by their alias, Open vSwitch bridges by their external-ids. */
    static List<Overlay> all(MachineView view) {
        List<Overlay> found = new ArrayList<>();
        for (HostLink link : view.hostLinks().values()) {
            fromAlias(link.name(), link.alias()).ifPresent(found::add);
        }
        if (view.ovsInstalled()) {
            java.util.Map<String, List<OvsPort>> tunnelsOf = new java.util.TreeMap<>();
            for (OvsPort port : view.ovsPorts().values()) {
                if (port.externalIds().containsKey(OVS_KEY)) {
                    tunnelsOf.computeIfAbsent(port.bridge(), b -> new ArrayList<>()).add(port);
                }
            }
            // The bridge's own interface carries the mark of an overlay that follows etcd, which may have no tunnel yet.
            tunnelsOf.forEach((bridge, ports) -> fromSettings(bridge, true, ports.get(0).externalIds().get(OVS_KEY),
                    ports.stream().map(OvsPort::name).filter(p -> !p.equals(bridge)).sorted().toList())
                    .ifPresent(found::add));
        }
        found.sort(java.util.Comparator.comparing(Overlay::bridge));
        return found;
    }
}
