package dev.pipework.plan;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.Guest;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An Open vSwitch bridge: used when it exists, created when its name starts with {@code ovs}; a veth
 * pair joins it as a port with the original's {@code external-ids} and, with {@code @vlan}, a tag.
 * Its attachments are veths whose host end is such a port; its records outlive the container's
 * namespace, and {@code del} drops them.
 */
final class OvsAttach {
    private OvsAttach() {
    }

    static Arrival attach(AttachContext c) {
        String bridge = c.target().name();
        if (!c.target().exists()) {
            boolean userspace = !c.view().ovsKernelDatapath();
            if (userspace) {
                c.notices().add("pipework: creating Open vSwitch bridge \"" + bridge + "\" with datapath_type=netdev:"
                        + " this kernel has no openvswitch module");
            }
            c.steps().add(new OvsSteps.AddOvsBridge(bridge, userspace));
        }
        // The switch's applying the port is waited for as late as the guest's sending allows (it
        // grows with the ports of the switch's userspace datapath: 40 ms at 500).
        String local = VethPair.hostEnd(c);
        return VethPair.plan(c, name -> new OvsSteps.AddOvsPort(bridge, name, c.request().vlan(),
                externalIds(c.request(), c.guest(), name, bridge), false))
                .withBeforeTraffic(new OvsSteps.AwaitOvsPort(bridge, local));
    }

    /** The original's {@code external-ids:pipework.*} on the OVS interface, in its order. */
    private static Map<String, String> externalIds(AttachRequest request, Guest guest, String local, String bridge) {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("pipework.interface", local);
        ids.put("pipework.bridge", bridge);
        guest.id().ifPresent(id -> ids.put(OvsPort.CONTAINER_ID, id));
        guest.name().ifPresent(name -> ids.put("pipework.containername", name));
        ids.put("pipework.nspid", Long.toString(guest.nameNumber()));
        request.vlan().ifPresent(vlan -> ids.put("pipework.vlan", vlan.toString()));
        return ids;
    }

    /** The port of this host end, when it is one. */
    static Optional<Attachment> recognise(Guest guest, GuestLink link, HostLink peer, MachineView view) {
        return view.ovsPort(peer.name()).map(port -> Attachment.of(guest, link, AttachKind.OVS,
                Optional.of(peer.name()), Optional.of(port.bridge()), port.tag(), Optional.empty()));
    }

    static List<Step> remove(Attachment a) {
        return List.of(new OvsSteps.RemoveOvsPort(a.bridge().orElseThrow(), a.hostInterface().orElseThrow()),
                new LinkSteps.DeleteLink(Where.HOST, a.hostInterface().orElseThrow()));
    }

    /**
     * Ports an attach made (they carry {@code pipework.interface}) whose interface is gone from the
     * host: what a container removed without {@code del} or a watcher left, for {@code status}.
     */
    static List<OvsPort> stalePorts(MachineView view) {
        return stalePorts(view.ovsPorts().values(), view);
    }

    /** {@link #stalePorts(MachineView)} of one container, known by its ID: its ports' links asked one by one. */
    static List<OvsPort> stalePortsOf(String containerId, MachineView view) {
        return sorted(view.ovsPortsOfContainer(containerId).stream().filter(p -> p.plumbed() && !view.hostLinkExists(p.name())));
    }

    private static List<OvsPort> stalePorts(java.util.Collection<OvsPort> ports, MachineView view) {
        java.util.Set<String> hostNames = view.hostLinkNames();
        return sorted(ports.stream().filter(p -> p.plumbed() && !hostNames.contains(p.name())));
    }

    private static List<OvsPort> sorted(java.util.stream.Stream<OvsPort> ports) {
        return ports.sorted(BY_BRIDGE_THEN_NAME).toList();
    }

    /**
     * By bridge, then name: a class of its own, where {@code Comparator.comparing} makes lambdas of the
     * JDK's that the start-up cache does not keep (spun on every status and del of a guest).
     */
    private static final class ByBridgeThenName implements java.util.Comparator<OvsPort> {
        @Override
        public int compare(OvsPort a, OvsPort b) {
            int byBridge = a.bridge().compareTo(b.bridge());
            return byBridge != 0 ? byBridge : a.name().compareTo(b.name());
        }
    }

    private static final ByBridgeThenName BY_BRIDGE_THEN_NAME = new ByBridgeThenName();

    /**
     * Ports that record this container but whose link is gone, or goes with a namespace of the
     * container that is no more: what is left of an attach once the container stopped, restarted or was
     * removed (its veth pair goes with its namespace). A container that no
     * longer exists is recognised by the name or ID prefix the records hold.
     *
     * @param guest          the container, when it still exists
     * @param token          the guest as named on the command line
     * @param containerIf    the interface asked for, or empty for all
     */
    static List<Step> staleRecords(Optional<Guest> guest, String token, Optional<String> containerIf, MachineView view) {
        if (guest.isPresent() && guest.get().id().isEmpty()) {
            return List.of();
        }
        List<Step> steps = new ArrayList<>();
        // A container known by its ID: only the ports that record it are asked for.
        java.util.Collection<OvsPort> ports = guest.isPresent() ? view.ovsPortsOfContainer(guest.get().id().get())
                : view.ovsPorts().values();
        for (OvsPort port : ports) {
            String id = port.externalIds().getOrDefault(OvsPort.CONTAINER_ID, "");
            String name = port.externalIds().getOrDefault("pipework.containername", "");
            boolean mine = guest.isPresent() ? guest.get().id().get().equals(id)
                    : !id.isEmpty() && (name.equals("/" + token) || (token.length() >= 12 && id.startsWith(token)));
            // A record is stale once its link is gone, or once the namespace it names (pipework.nspid:
            // the guest's PID, or for a guest without one, as a CNI runtime's, its namespace's inode)
            // is no longer the container's: the link then belongs to a namespace that is going away,
            // and the port goes now rather than when the kernel gets round to it.
            boolean noNamespace = guest.isEmpty() || guest.get().nameNumber() == 0;
            boolean gone = noNamespace
                    || !port.externalIds().getOrDefault("pipework.nspid", "").equals(Long.toString(guest.get().nameNumber()))
                    || !view.hostLinkExists(port.name());
            // Records do not say which container interface they served. Once the container has no
            // namespace (stopped or removed) every link they describe is gone, so all of them go.
            boolean interfaceMatches = containerIf.isEmpty() || noNamespace
                    || port.name().startsWith("v" + containerIf.get() + "pl");
            if (mine && gone && interfaceMatches) {
                steps.add(new OvsSteps.RemoveOvsPort(port.bridge(), port.name()));
            }
        }
        return steps;
    }
}
