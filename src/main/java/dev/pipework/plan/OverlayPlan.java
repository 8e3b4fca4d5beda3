package dev.pipework.plan;

import dev.pipework.model.Family;
import dev.pipework.model.IpAddress;
import dev.pipework.model.Mtu;
import dev.pipework.model.PipeworkException;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plans {@code overlay add} and {@code overlay rm}. An overlay's bridge is its own: made by
 * {@code add} (a name starting with {@code br}: a Linux bridge with a kernel {@code vxlan} device;
 * {@code ovs}: an Open vSwitch bridge with a tunnel port per peer, as the attach form chooses by
 * the name), removed by {@code rm}, which refuses while anything else is plugged into it.
 */
final class OverlayPlan {
    private OverlayPlan() {
    }

    static Plan add(OverlayRequest r, MachineView view) {
        String name = r.name();
        boolean ovs = name.startsWith("ovs");
        if (!ovs && !name.startsWith("br")) {
            throw new PipeworkException("overlay \"" + name + "\": its bridge's name starts with br (a Linux bridge)"
                    + " or ovs (an Open vSwitch bridge), as the attach form creates them");
        }
        if (ovs && !view.ovsInstalled()) {
            throw PipeworkException.original("Need OVS installed on the system to create an ovs bridge");
        }
        LinkFacts underlay = view.link(r.underlay()).orElseThrow(() -> new PipeworkException(
                "underlay interface \"" + r.underlay() + "\" does not exist"));
        String local = localAddress(r.underlay(), r.family(), view);
        Family family = local.contains(":") ? Family.INET6 : Family.INET;
        for (IpAddress peer : r.peers()) {
            if (peer.toString().equals(local)) {
                throw new PipeworkException("peer " + peer + " is this host's own underlay address (on \""
                        + r.underlay() + "\"): name the other hosts");
            }
        }
        int overhead = Overlay.overhead(family);
        int fits = underlay.mtu() - overhead;
        int mtu = r.mtu().map(Mtu::bytes).orElse(fits);
        if (mtu > fits || mtu < Mtu.MIN) {
            throw new PipeworkException("MTU " + mtu + " does not fit: the underlay \"" + r.underlay() + "\" has MTU "
                    + underlay.mtu() + " and VXLAN over " + (family == Family.INET ? "IPv4" : "IPv6") + " takes "
                    + overhead + " bytes of it, so an overlay on it has an MTU of " + Mtu.MIN + "-" + fits);
        }
        List<String> peers = r.peers().stream().map(IpAddress::toString).toList();
        Overlay wanted = new Overlay(name, ovs, r.vni(), r.underlay(), local, r.etcd() ? List.of(Overlay.ETCD) : peers, mtu,
                ovs ? peers.stream().map(p -> Overlay.tunnelPort(name, p)).toList()
                        : List.of(Overlay.vxlanDevice(name)));
        for (Overlay existing : Overlay.all(view)) {
            if (existing.bridge().equals(name)) {
                if (existing.ovs() == ovs && existing.settings().equals(wanted.settings())) {
                    return new Plan(List.of(), List.of("pipework: the overlay \"" + name + "\" is already in place as"
                            + " asked"), List.of());
                }
                throw new PipeworkException("the overlay \"" + name + "\" exists with " + existing.settings()
                        + ": remove it first with pipework overlay rm " + name);
            }
            // The kernel's VXLAN devices and Open vSwitch's tunnels each take a VNI once; the two are apart.
            if (existing.vni() == r.vni() && existing.ovs() == ovs) {
                throw new PipeworkException("VNI " + r.vni() + " is taken by the overlay \"" + existing.bridge()
                        + "\": " + (ovs ? "Open vSwitch" : "the kernel") + " takes a VNI once per UDP port");
            }
        }
        if (view.link(name).isPresent() || (ovs && view.ovsBridge(name))) {
            throw new PipeworkException("host interface \"" + name + "\" exists and is not an overlay: an overlay makes"
                    + " its own bridge; choose another name");
        }
        String settings = wanted.settings();
        List<Step> steps = new ArrayList<>();
        if (ovs) {
            steps.add(new OverlaySteps.AddOvsBridge(name, !view.ovsKernelDatapath(), mtu,
                    r.etcd() ? Optional.of(settings) : Optional.empty()));
            for (String peer : peers) {
                steps.add(new OverlaySteps.AddTunnelPort(name, Overlay.tunnelPort(name, peer), peer, r.vni(), settings));
            }
            steps.add(new LinkSteps.SetLinkUp(Where.HOST, name));
            return new Plan(steps, etcdNotice(r), List.of());
        }
        String alias = Overlay.ALIAS_PREFIX + settings;
        if (alias.length() > Overlay.MAX_ALIAS) {
            throw new PipeworkException("too many peers: the overlay's settings (" + alias.length() + " bytes) do not"
                    + " fit in the bridge's alias (" + Overlay.MAX_ALIAS + " bytes), where they are kept");
        }
        String vx = Overlay.vxlanDevice(name);
        if (view.link(vx).isPresent()) {
            throw new PipeworkException("host interface \"" + vx + "\" exists: the overlay's VXLAN device needs the name");
        }
        steps.add(new OverlaySteps.AddBridge(name, mtu));
        steps.add(new LinkSteps.SetAlias(Where.HOST, name, alias));
        steps.add(new OverlaySteps.AddVxlan(vx, r.vni(), local, r.underlay(), mtu));
        steps.add(new LinkSteps.SetMaster(vx, name));
        for (String peer : peers) {
            steps.add(new OverlaySteps.AppendFdb(vx, peer));
        }
        steps.add(new LinkSteps.SetLinkUp(Where.HOST, vx));
        steps.add(new LinkSteps.SetLinkUp(Where.HOST, name));
        return new Plan(steps, etcdNotice(r), List.of());
    }

    private static List<String> etcdNotice(OverlayRequest r) {
        return r.etcd() ? List.of("pipework: the overlay's peers are the hosts registered in etcd for VNI " + r.vni()
                + ": pipework overlay keep (pipework-overlay.service) registers this host and keeps them") : List.of();
    }

    /**
     * The underlay's first global address of the family, which the VXLAN packets leave from; with
     * no family given (peers from etcd), its first IPv4 address, else its first IPv6 one.
     */
    private static String localAddress(String underlay, Optional<Family> family, MachineView view) {
        for (Family f : family.map(List::of).orElse(List.of(Family.INET, Family.INET6))) {
            for (GuestLink link : ShimAttach.hostLinks(view)) {
                if (link.name().equals(underlay)) {
                    for (String address : link.addresses()) {
                        String bare = address.substring(0, address.indexOf('/'));
                        if (bare.contains(":") == (f == Family.INET6)) {
                            return bare;
                        }
                    }
                }
            }
        }
        if (family.isEmpty()) {
            throw new PipeworkException("underlay interface \"" + underlay + "\" has no address: the VXLAN packets to"
                    + " the peers leave from it, and the peers registered in etcd reach it there");
        }
        throw new PipeworkException("underlay interface \"" + underlay + "\" has no " + (family.get() == Family.INET
                ? "IPv4" : "IPv6") + " address: the VXLAN packets to the peers leave from it, and need one of the peers' family");
    }

    /**
     * Brings an overlay that follows etcd to the peers registered for its VNI: an FDB entry (kernel)
     * or a tunnel port (Open vSwitch) for each, none for a host no longer registered. What etcd
     * holds is the other hosts' word: a value that is not an address of the underlay's family, or
     * is this host's own, is left out and named in the plan's notices. No such overlay, or one with
     * static peers: an empty plan.
     *
     * @param registered the address each other host registered, by host
     */
    static Plan follow(String name, java.util.Map<String, String> registered, MachineView view) {
        // A Linux bridge's overlay is read from its alias, without asking Open vSwitch's database.
        Optional<Overlay> found = view.hostLinks().values().stream().filter(l -> l.name().equals(name))
                .flatMap(l -> Overlay.fromAlias(name, l.alias()).stream()).findFirst()
                .or(() -> Overlay.all(view).stream().filter(o -> o.bridge().equals(name)).findFirst())
                .filter(Overlay::etcd);
        if (found.isEmpty()) {
            return new Plan(List.of(), List.of(), List.of());
        }
        Overlay overlay = found.get();
        List<String> notices = new ArrayList<>();
        java.util.SortedSet<String> wanted = new java.util.TreeSet<>();
        for (var e : new java.util.TreeMap<>(registered).entrySet()) {
            Optional<IpAddress> address = Optional.empty();
            try {
                address = Optional.of(IpAddress.parse("peer", e.getValue(), e.getValue()));
            } catch (dev.pipework.model.InvalidValueException ignored) {
                // Named below.
            }
            String ignored = "pipework: overlay \"" + name + "\": peer ignored: host \"" + shown(e.getKey())
                    + "\" registered \"" + shown(e.getValue());
            if (address.isEmpty() || address.get().family() != overlay.family()) {
                notices.add(ignored + "\", which is not an " + (overlay.family() == Family.INET ? "IPv4" : "IPv6")
                        + " address");
            } else if (address.get().toString().equals(overlay.local())) {
                notices.add(ignored + "\", which is this host's own address");
            } else if (!unicast(address.get())) {
                notices.add(ignored + "\", which is not a unicast address another host can have");
            } else {
                wanted.add(address.get().toString());
            }
        }
        List<Step> steps = new ArrayList<>();
        if (overlay.ovs()) {
            java.util.Map<String, String> portOf = new java.util.TreeMap<>();
            for (OvsPort port : view.ovsPorts().values()) {
                String peer = port.externalIds().get(Overlay.OVS_PEER_KEY);
                if (port.bridge().equals(name) && peer != null) {
                    portOf.put(peer, port.name());
                }
            }
            portOf.forEach((peer, port) -> {
                if (!wanted.contains(peer)) {
                    steps.add(new OvsSteps.RemoveOvsPort(name, port));
                }
            });
            for (String peer : wanted) {
                if (!portOf.containsKey(peer)) {
                    steps.add(new OverlaySteps.AddTunnelPort(name, Overlay.tunnelPort(name, peer), peer, overlay.vni(),
                            overlay.settings()));
                }
            }
        } else {
            String vx = Overlay.vxlanDevice(name);
            List<String> current = view.vxlanFloods(vx);
            for (String peer : current) {
                if (!wanted.contains(peer)) {
                    steps.add(new OverlaySteps.DeleteFdb(vx, peer));
                }
            }
            for (String peer : wanted) {
                if (!current.contains(peer)) {
                    steps.add(new OverlaySteps.AppendFdb(vx, peer));
                }
            }
        }
        return new Plan(steps, notices, List.of());
    }

    /** A value read from etcd, fit for one line of a log: printable ASCII, at most 64 characters. */
    private static String shown(String untrusted) {
        String s = untrusted.replaceAll("[^\\x20-\\x7e]", "?").replace("\"", "?");
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    /**
     * Removes the overlay: its VXLAN device and bridge, or its Open vSwitch bridge with its tunnels.
     * Refused while anything but its own tunnels is plugged into the bridge (the guests' veths first,
     * with {@code pipework del}); empty when there is no such overlay.
     */
    static Plan remove(String name, MachineView view) {
        Optional<Overlay> found = Overlay.all(view).stream().filter(o -> o.bridge().equals(name)).findFirst();
        if (found.isEmpty()) {
            if (view.link(name).isPresent()) {
                throw new PipeworkException("host interface \"" + name + "\" is not an overlay");
            }
            return new Plan(List.of(), List.of(), List.of());
        }
        Overlay overlay = found.get();
        List<String> others = new ArrayList<>();
        if (overlay.ovs()) {
            for (OvsPort port : view.ovsPorts().values()) {
                if (port.bridge().equals(name) && !port.name().equals(name) && !overlay.tunnels().contains(port.name())) {
                    others.add(port.name());
                }
            }
        } else {
            for (HostLink link : view.hostLinks().values()) {
                if (link.master().equals(Optional.of(name)) && !overlay.tunnels().contains(link.name())) {
                    others.add(link.name());
                }
            }
        }
        if (!others.isEmpty()) {
            throw new PipeworkException("the overlay \"" + name + "\" still has " + String.join(", ", others.stream()
                    .sorted().toList()) + " plugged in: remove those attachments first (pipework del <guest>)");
        }
        List<Step> steps = new ArrayList<>();
        if (overlay.ovs()) {
            steps.add(new OverlaySteps.RemoveOvsBridge(name));
        } else {
            String vx = Overlay.vxlanDevice(name);
            if (view.link(vx).isPresent()) {
                steps.add(new LinkSteps.DeleteLink(Where.HOST, vx));
            }
            steps.add(new LinkSteps.DeleteLink(Where.HOST, name));
        }
        return new Plan(steps, List.of(), List.of());
    }

    /**
     * An address a peer can have: not unspecified, loopback, link-local, multicast or broadcast
     * (the kernel refuses some as an FDB destination, and the rest would send the overlay's
     * traffic nowhere or everywhere).
     */
    static boolean unicast(IpAddress a) {
        byte[] b = a.bytes();
        int first = b[0] & 0xff;
        boolean zero = true;
        for (int i = 0; i < b.length; i++) {
            zero &= b[i] == 0 || (b.length == 16 && i == 15 && b[i] == 1);
        }
        if (b.length == 4) {
            // 0/8, 127/8, 169.254/16, and from 224 on: multicast, reserved, broadcast.
            return first != 0 && first != 127 && !(first == 169 && (b[1] & 0xff) == 254) && first < 224;
        }
        // ::, ::1, fe80::/10, ff00::/8.
        return !zero && first != 0xff && !(first == 0xfe && (b[1] & 0xc0) == 0x80);
    }
}
