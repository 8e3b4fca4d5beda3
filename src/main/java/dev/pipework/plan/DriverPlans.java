package dev.pipework.plan;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.MacAddress;
import dev.pipework.model.MacvlanMode;
import dev.pipework.model.PipeworkException;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker network driver's plans: a network's bridge, and an endpoint's host side. The engine
 * moves the link an endpoint's plan leaves on the host into the container, names it and gives it
 * its addresses, MAC and gateway, so an endpoint's plan is an attach without its guest half: the
 * same links, marks and Open vSwitch records as the command line's, with names made from the
 * endpoint's ID ({@code pwh<12 hex>} on the bridge, {@code pwg<12 hex>} or {@code pwm<12 hex>}
 * for the engine to take).
 */
public final class DriverPlans {
    private static final String HOST_END = "pwh";
    private static final String GUEST_END = "pwg";
    private static final String MACVLAN = "pwm";
    private static final int ARPHRD_ETHER = 1;

    private DriverPlans() {
    }

    /** The link an endpoint's plan leaves on the host for the engine to move into the container. */
    public static String engineLink(HostTarget target, String endpointId) {
        return (macvlan(target) ? MACVLAN : GUEST_END) + shortId(endpointId);
    }

    /** The host end of an endpoint's veth, on its bridge. */
    public static String hostEnd(String endpointId) {
        return HOST_END + shortId(endpointId);
    }

    /** Whether this host link is the host end of a driver endpoint's veth. */
    public static boolean isDriverHostEnd(String name) {
        return name.matches(HOST_END + "[0-9a-f]{12}");
    }

    private static String shortId(String endpointId) {
        if (!endpointId.matches("[0-9a-f]{12,64}")) {
            throw new PipeworkException("endpoint ID \"" + endpointId + "\" is not 12 to 64 hex digits");
        }
        return endpointId.substring(0, 12);
    }

    private static boolean macvlan(HostTarget target) {
        return target.kind() == HostTarget.Kind.PHYSICAL;
    }

    /**
     * What a network needs on the host before any endpoint: its bridge, created when it is not
     * there (by the command line's naming rules: {@code br*} Linux, {@code ovs*} Open vSwitch). A NIC
     * must exist; the other kinds of host interface are not a network's.
     */
    public static Plan network(AttachRequest request, HostTarget target, MachineView view) {
        List<Step> steps = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        switch (target.kind()) {
            case LINUX_BRIDGE -> {
                if (!target.exists()) {
                    steps.add(new LinkSteps.AddLinuxBridge(target.name()));
                    steps.add(new LinkSteps.SetLinkUp(Where.HOST, target.name()));
                }
            }
            case OVS_BRIDGE -> {
                if (!target.exists()) {
                    boolean userspace = !view.ovsKernelDatapath();
                    if (userspace) {
                        notices.add("creating Open vSwitch bridge \"" + target.name()
                                + "\" with datapath_type=netdev: this kernel has no openvswitch module");
                    }
                    steps.add(new OvsSteps.AddOvsBridge(target.name(), userspace));
                    steps.add(new LinkSteps.SetLinkUp(Where.HOST, target.name()));
                }
            }
            case PHYSICAL -> {
                if (request.directPhys()) {
                    throw new PipeworkException("a Docker network cannot move a NIC whole into its containers");
                }
                // A macvlan needs an Ethernet parent: the loopback, a tunnel or a PPP link is none.
                if (view.link(target.name()).map(LinkFacts::type).orElse(ARPHRD_ETHER) != ARPHRD_ETHER) {
                    throw new PipeworkException("parent \"" + target.name() + "\" is not an Ethernet interface: a"
                            + " macvlan cannot be made on it");
                }
            }
            case DUMMY, IPOIB -> throw new PipeworkException("\"" + target.name() + "\" is a "
                    + target.kind().description() + ": a pipework network needs bridge=<Linux or Open vSwitch bridge>"
                    + " or parent=<NIC>");
        }
        return new Plan(steps, notices, List.of());
    }

    /** Removes the bridge a network created: only when no port is left on it. */
    public static Plan networkRemoval(HostTarget target, MachineView view) {
        List<Step> steps = new ArrayList<>();
        if (!target.exists()) {
            return new Plan(steps, List.of(), List.of());
        }
        switch (target.kind()) {
            case LINUX_BRIDGE -> {
                boolean ports = view.hostLinks().values().stream()
                        .anyMatch(l -> l.master().filter(target.name()::equals).isPresent());
                if (!ports) {
                    steps.add(new LinkSteps.DeleteLink(Where.HOST, target.name()));
                }
            }
            case OVS_BRIDGE -> {
                boolean ports = view.ovsPorts().values().stream().anyMatch(p -> p.bridge().equals(target.name()) && !p.name().equals(target.name()));
                if (!ports) {
                    steps.add(new OvsSteps.DeleteOvsBridge(target.name()));
                }
            }
            case PHYSICAL, DUMMY, IPOIB -> {
            }
        }
        return new Plan(steps, List.of(), List.of());
    }

    /**
     * An endpoint's host side: a veth pair whose host end joins the bridge (an Open vSwitch port with
     * the original's {@code external-ids}, with the network, endpoint and sandbox), or a macvlan on the
     * NIC marked as the command line marks one; both left on the host, down, for the engine.
     *
     * @param networkId the engine's network, for the records
     * @param sandbox   the sandbox the engine joins (its key's last word), for the records: the engine
     *                  does not tell a driver which container that is
     */
    public static Plan endpoint(AttachRequest request, HostTarget target, String networkId, String endpointId,
                                String sandbox, MachineView view) {
        List<Step> steps = new ArrayList<>();
        String link = engineLink(target, endpointId);
        int mtu = Planner.mtu(request, target);
        // Left from before: a veth's one end takes the other with it.
        if (view.link(link).isPresent()) {
            steps.add(new LinkSteps.DeleteLink(Where.HOST, link));
        } else if (view.link(hostEnd(endpointId)).isPresent()) {
            steps.add(new LinkSteps.DeleteLink(Where.HOST, hostEnd(endpointId)));
        }
        switch (target.kind()) {
            case LINUX_BRIDGE, OVS_BRIDGE -> {
                String local = hostEnd(endpointId);
                steps.add(new LinkSteps.AddVethPair(local, link, mtu));
                if (target.kind() == HostTarget.Kind.LINUX_BRIDGE) {
                    steps.add(new LinkSteps.SetMaster(local, target.name()));
                } else {
                    Map<String, String> ids = new LinkedHashMap<>();
                    ids.put("pipework.interface", local);
                    ids.put("pipework.bridge", target.name());
                    ids.put("pipework.sandbox", sandbox);
                    ids.put("pipework.network", networkId);
                    ids.put("pipework.endpoint", endpointId);
                    request.vlan().ifPresent(vlan -> ids.put("pipework.vlan", vlan.toString()));
                    steps.add(new OvsSteps.AddOvsPort(target.name(), local, request.vlan(), ids));
                }
                steps.add(new LinkSteps.SetAlias(Where.HOST, local, Alias.HOST_END));
                steps.add(new LinkSteps.SetLinkUp(Where.HOST, local));
            }
            case PHYSICAL -> {
                VlanParent parent = VlanParent.of(new AttachContext(request, target, null, view, link, steps,
                        new ArrayList<>()));
                steps.add(new LinkSteps.AddMacvlan(parent.name(), link, mtu,
                        request.macvlanMode().orElse(MacvlanMode.BRIDGE)));
                if (!parent.up()) {
                    steps.add(new LinkSteps.SetLinkUp(Where.HOST, parent.name(), true));
                }
                steps.add(new LinkSteps.SetAlias(Where.HOST, link, Alias.mark(AttachKind.MACVLAN, parent.name())));
            }
            case DUMMY, IPOIB -> throw new PipeworkException("\"" + target.name() + "\" is a "
                    + target.kind().description() + ", not a network's bridge or NIC");
        }
        return new Plan(steps, List.of(), List.of());
    }

    /**
     * What is left of an endpoint on the host once the engine has taken its link back (or its
     * container's namespace went with it): the links by their names, the Open vSwitch port.
     */
    public static Plan endpointRemoval(Optional<String> ovsBridge, String endpointId, MachineView view) {
        List<Step> steps = new ArrayList<>();
        String local = hostEnd(endpointId);
        ovsBridge.ifPresent(bridge -> {
            if (view.ovsPorts().containsKey(local)) {
                steps.add(new OvsSteps.RemoveOvsPort(bridge, local));
            }
        });
        // Either end of a veth takes the other with it: the host end when it is there, else its peer.
        String peer = GUEST_END + shortId(endpointId);
        for (String name : view.link(local).isPresent() ? List.of(local, MACVLAN + shortId(endpointId))
                : List.of(peer, MACVLAN + shortId(endpointId))) {
            if (view.link(name).isPresent()) {
                steps.add(new LinkSteps.DeleteLink(Where.HOST, name));
            }
        }
        return new Plan(steps, List.of(), List.of());
    }

    /**
     * The first lease of an endpoint on a {@code dhcp=true} network, taken on the host on the link
     * the engine will move ({@code kept} names that link): its MAC set, the link up, dhclient's
     * configuration (hostname, client ID) and {@link DhcpSteps.HostLease}.
     */
    public static Plan dhcpLease(DhcpKeeping.Kept kept, MacAddress mac) {
        List<Step> steps = new ArrayList<>();
        steps.add(new DhcpSteps.PrivateDirectory(DhcpKeeping.DIR));
        steps.add(new DhcpSteps.WriteKeeperFile(kept.configFile(), kept.configuration(), "the configuration of dhclient"));
        steps.add(new DhcpSteps.ClearPidFile(kept.pidFile()));
        steps.add(new DhcpSteps.WriteKeeperFile(kept.leaseFile(), "", "the lease file of dhclient"));
        steps.add(new LinkSteps.SetMacAddress(Where.HOST, kept.iface(), mac, Optional.empty()));
        steps.add(new LinkSteps.SetLinkUp(Where.HOST, kept.iface()));
        steps.add(new DhcpSteps.HostLease(kept));
        return new Plan(steps, List.of(), List.of());
    }

    /** Once the first lease is read: its client stopped (without a release: the address is the endpoint's), its files removed. */
    public static Plan dhcpLeaseTaken(DhcpKeeping.Kept kept) {
        List<Step> steps = new ArrayList<>();
        steps.add(new DhcpSteps.StopByPidFile(kept.pidFile(), "the first lease's dhclient"));
        for (String file : List.of(kept.pidFile(), kept.configFile(), kept.leaseFile())) {
            steps.add(new DhcpSteps.RemoveFile(file));
        }
        return new Plan(steps, List.of(), List.of());
    }

    /**
     * The container's client, once the engine has moved the link in and given it the lease's
     * address: the keeper's record, its lease file (the first lease, so the client asks for that
     * address), and the keeper, which starts the client in the namespace and keeps it.
     */
    public static Plan dhcpKeep(DhcpKeeping.Kept kept, String leases, MachineView view) {
        List<Step> steps = new ArrayList<>();
        steps.add(new DhcpSteps.PrivateDirectory(DhcpKeeping.DIR));
        steps.add(new DhcpSteps.WriteKeeperFile(kept.leaseFile(), leases, "the lease file of dhclient"));
        steps.add(new DhcpSteps.WriteKeeperFile(kept.configFile(), kept.configuration(), "the configuration of dhclient"));
        steps.add(new DhcpSteps.WriteKeeperFile(kept.recordFile(), kept.text(), "the lease keeper's record"));
        steps.add(new DhcpSteps.StartKeeper(view.pipeworkCommand()));
        return new Plan(steps, List.of(), List.of());
    }

    /** The container's client stopped for good, its lease released while its interface is still there to send it. */
    public static Plan dhcpRelease(DhcpKeeping.Kept kept, Optional<Where> in, MachineView view) {
        return new Plan(DhcpSource.release(kept, in, view), List.of(), List.of());
    }
}
