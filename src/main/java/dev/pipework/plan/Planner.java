package dev.pipework.plan;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.Family;
import dev.pipework.model.Guest;
import dev.pipework.model.IpCidr;
import dev.pipework.model.Mtu;
import dev.pipework.model.PipeworkException;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a request and a view of the machine into a plan. It reads nothing and changes nothing:
 * every decision of a run (which kind of host interface, create or reuse, which names) is made here,
 * from what it asks the {@link MachineView}.
 */
public final class Planner {
    /** The MTU the kernel gives a new bridge before any port joins it. */
    static final int DEFAULT_MTU = 1500;
    static final int ARPHRD_INFINIBAND = 32;

    /** The request with a host interface named by its MAC ({@code mac:<hwaddr>}) resolved to its name. */
    public AttachRequest resolveHostMac(AttachRequest request, MachineView view) {
        if (request.hostInterfaceMac().isEmpty()) {
            return request;
        }
        String mac = request.hostInterfaceMac().get().text();
        String name = view.linkWithMac(mac).orElseThrow(() -> PipeworkException.original(
                "Mac address " + mac + " specified for interface but no host interface matched."));
        return request.onHostInterface(name);
    }

    /**
     * Classifies the host interface as the original does: an existing Linux bridge, Open vSwitch
     * bridge, IPoIB or other interface; or, when none exists, a bridge to create from its name
     * ({@code br*}: Linux, {@code ovs*}: Open vSwitch) or a dummy.
     */
    public HostTarget hostTarget(AttachRequest request, MachineView view) {
        String name = request.hostInterface();
        Optional<LinkFacts> link = view.link(name);
        HostTarget target;
        if (link.isPresent()) {
            LinkFacts l = link.get();
            HostTarget.Kind kind;
            if (l.linuxBridge()) {
                kind = HostTarget.Kind.LINUX_BRIDGE;
            } else if (view.ovsBridge(name)) {
                kind = HostTarget.Kind.OVS_BRIDGE;
            } else if (l.type() == ARPHRD_INFINIBAND) {
                kind = HostTarget.Kind.IPOIB;
            } else {
                kind = HostTarget.Kind.PHYSICAL;
            }
            // An overlay's bridge gives its attachments the overlay's MTU, whatever the bridge's is now.
            int mtu = kind == HostTarget.Kind.LINUX_BRIDGE
                    ? Overlay.fromAlias(name, l.alias()).map(Overlay::mtu).orElse(l.mtu()) : l.mtu();
            target = new HostTarget(kind, name, true, mtu, l.up());
        } else if (name.startsWith("br")) {
            target = new HostTarget(HostTarget.Kind.LINUX_BRIDGE, name, false, DEFAULT_MTU, false);
        } else if (name.startsWith("ovs")) {
            if (!view.ovsInstalled()) {
                throw PipeworkException.original("Need OVS installed on the system to create an ovs bridge");
            }
            if (view.ovsBridge(name)) {
                // In the switch's database but not in the kernel: a kernel datapath, without its module.
                throw new PipeworkException("Open vSwitch bridge \"" + name + "\" exists but has no link in the kernel:"
                        + " it asks for the kernel datapath, and this kernel has no openvswitch module; give it the"
                        + " userspace one (ovs-vsctl set bridge " + name + " datapath_type=netdev) or load the module"
                        + " (modprobe openvswitch)");
            }
            target = new HostTarget(HostTarget.Kind.OVS_BRIDGE, name, false, DEFAULT_MTU, false);
        } else if (name.startsWith("dummy")) {
            target = new HostTarget(HostTarget.Kind.DUMMY, name, false, DEFAULT_MTU, false);
        } else {
            throw PipeworkException.original("I do not know how to setup interface " + name + ".");
        }
        checkSupported(request, target, view);
        return target;
    }

    private static void checkSupported(AttachRequest request, HostTarget target, MachineView view) {
        // The tag is checked now that it is known to be a VLAN ID or a partition key.
        if (target.kind() == HostTarget.Kind.IPOIB) {
            request.pkey();
        } else {
            request.vlan();
        }
        if (target.kind() == HostTarget.Kind.LINUX_BRIDGE && request.tag().isPresent()) {
            throw PipeworkException.original("VLAN configuration currently unsupported for Linux bridge.");
        }
        if (target.kind() == HostTarget.Kind.IPOIB && request.mac().isPresent()) {
            throw PipeworkException.original("MACADDR configuration unsupported for IPoIB interfaces.");
        }
        if (request.directPhys() && target.kind() != HostTarget.Kind.PHYSICAL) {
            throw new PipeworkException("--direct-phys needs a physical interface, and \"" + target.name()
                    + "\" is a " + target.kind().description());
        }
        if (request.address() instanceof AddressSpec.Dhcp dhcp) {
            DhcpSource.check(dhcp, view);
        }
        boolean macvlan = target.kind() == HostTarget.Kind.PHYSICAL && !request.directPhys();
        if (request.macvlanMode().isPresent() && !macvlan) {
            throw new PipeworkException("--macvlan-mode " + request.macvlanMode().get().word() + " applies to a macvlan"
                    + " on a physical interface, and " + (request.directPhys() ? "--direct-phys moves the NIC itself"
                    : "\"" + target.name() + "\" is a " + target.kind().description()));
        }
        if (request.mtu().isPresent()) {
            Mtu mtu = request.mtu().get();
            if (request.directPhys()) {
                throw new PipeworkException("--mtu " + mtu + " applies to an interface this run creates, and"
                        + " --direct-phys moves the NIC itself, with its own MTU");
            }
            for (AddressSpec.Static s : request.address().statics()) {
                if (s.address().family() == Family.INET6 && mtu.bytes() < Mtu.MIN_IPV6) {
                    throw new PipeworkException("MTU \"" + mtu + "\" is too small for IPv6 address " + s.address()
                            + ": IPv6 needs at least " + Mtu.MIN_IPV6);
                }
            }
            boolean child = macvlan || target.kind() == HostTarget.Kind.IPOIB;
            if (child && mtu.bytes() > target.mtu()) {
                throw new PipeworkException("MTU \"" + mtu + "\" is above the MTU " + target.mtu() + " of \""
                        + target.name() + "\": an interface on it cannot be larger than its parent");
            }
        }
    }

    /** The MTU of the new interface: {@code --mtu}, or the host interface's. */
    static int mtu(AttachRequest request, HostTarget target) {
        return request.mtu().map(Mtu::bytes).orElse(target.mtu());
    }

    /** The default name of the interface in the guest: {@code ib0} on InfiniBand (the IPoIB driver insists), else {@code eth1}. */
    public static String containerInterface(AttachRequest request, HostTarget target) {
        return request.containerInterface().orElse(target.kind() == HostTarget.Kind.IPOIB ? "ib0" : "eth1");
    }

    /**
     * The kind of attachment an attach of this request to this target makes: the home
     * {@link #planAttach} chooses below, by the same switch.
     */
    public static AttachKind kindOf(AttachRequest request, HostTarget target) {
        return switch (target.kind()) {
            case LINUX_BRIDGE -> AttachKind.LINUX;
            case OVS_BRIDGE -> AttachKind.OVS;
            case PHYSICAL -> request.directPhys() ? AttachKind.DIRECT : AttachKind.MACVLAN;
            case DUMMY -> AttachKind.DUMMY;
            case IPOIB -> AttachKind.IPOIB;
        };
    }

    /** The plan for an attach. */
    public Plan planAttach(AttachRequest request, HostTarget target, Guest guest, MachineView view) {
        if (request.address() instanceof AddressSpec.FromPool from) {
            throw new IllegalStateException(from.describe() + " reached the planner: the run exchanges it first");
        }
        List<Step> steps = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String containerIf = containerInterface(request, target);
        if (request.address() instanceof AddressSpec.Dhcp dhcp) {
            DhcpSource.checkGuest(dhcp, guest);
        }
        AttachContext c = new AttachContext(request, target, guest, view, containerIf, steps, notices);
        Arrival arrival = switch (target.kind()) {
            case LINUX_BRIDGE -> LinuxBridgeAttach.attach(c);
            case OVS_BRIDGE -> OvsAttach.attach(c);
            case PHYSICAL -> request.directPhys() ? DirectAttach.attach(c) : MacvlanAttach.attach(c);
            case DUMMY -> DummyAttach.attach(c);
            case IPOIB -> IpoibAttach.attach(c);
        };
        Where in = c.in();
        boolean ownLink = arrival.returnsToHost();
        steps.add(new LinkSteps.RenameLink(in, arrival.name(), containerIf, ownLink));
        arrival.alias().ifPresent(alias -> steps.add(new LinkSteps.SetAlias(in, containerIf, alias)));
        request.mac().ifPresent(mac -> steps.add(new LinkSteps.SetMacAddress(in, containerIf, mac, arrival.restoreMac())));
        List<AddressSpec.Static> statics = request.address().statics();
        for (AddressSpec.Static s : statics) {
            steps.add(new AddressSteps.AddAddress(in, s.address().family(), s.address(), containerIf));
        }
        if (request.address() instanceof AddressSpec.Dhcp dhcp) {
            DhcpSource.beforeUp(dhcp, containerIf, in, steps);
        }
        // A link that goes back to the host on undo must be down to be renamed back.
        int up = steps.size();
        steps.add(new LinkSteps.SetLinkUp(in, containerIf, ownLink));
        if (request.address() instanceof AddressSpec.Dhcp dhcp) {
            DhcpSource.plan(dhcp, guest, request.mac(), containerIf, in, view, steps);
        } else if (!statics.isEmpty()) {
            StaticAddress.plan(c, statics, in, warnings);
        }
        arrival.beforeTraffic().ifPresent(step -> steps.add(beforeTraffic(steps, up, request), step));
        return new Plan(steps, notices, warnings);
    }

    /**
     * Where a step that must come before the guest sends goes: before its interface comes up where
     * IPv6 is asked of the network (the kernel solicits routers as it comes up; for DHCPv6 without
     * duplicate address detection, at once), else after the guest's {@code ip} commands that follow
     * (their one batch), before its announcement, its DHCP client or the end.
     */
    private static int beforeTraffic(List<Step> steps, int up, AttachRequest request) {
        if (request.address() instanceof AddressSpec.Dhcp dhcp && dhcp.ipv6().isPresent()) {
            return up;
        }
        int i = up + 1;
        while (i < steps.size() && steps.get(i).command() instanceof Command.Ip ip && !ip.where().isHost()) {
            i++;
        }
        return i;
    }

    /**
     * What attaches plumbed into a guest, from its links and the host side. A link is an attachment
     * when the host proves it (a veth whose host end pipework marked), or when it lives wholly in the
     * guest and carries a well-formed mark of such a kind.
     */
    public List<Attachment> attachments(Guest guest, MachineView view) {
        if (guest.netnsPath().isEmpty()) {
            return List.of();
        }
        List<Attachment> found = new ArrayList<>();
        for (GuestLink link : view.guestLinks(guest.netnsPath(), guest.describe())) {
            recognise(guest, link, view).ifPresent(found::add);
        }
        return found;
    }

    private static Optional<Attachment> recognise(Guest guest, GuestLink link, MachineView view) {
        Optional<Alias.Mark> mark = Alias.read(link.alias());
        if (mark.isPresent()) {
            Alias.Mark m = mark.get();
            return switch (m.kind()) {
                case MACVLAN -> Optional.of(MacvlanAttach.recognise(guest, link, m));
                case DIRECT -> DirectAttach.recognise(guest, link, m, view);
                case DUMMY -> Optional.of(DummyAttach.recognise(guest, link, m));
                case IPOIB -> Optional.of(IpoibAttach.recognise(guest, link, m));
                case LINUX, OVS, VETH, SHIM -> Optional.empty();
            };
        }
        Optional<HostLink> peer = VethPair.plumbedPeer(guest, link, view);
        if (peer.isEmpty()) {
            return Optional.empty();
        }
        // A port of a Linux bridge is no Open vSwitch port: Open vSwitch is asked only otherwise.
        if (peer.get().masterLinuxBridge()) {
            return Optional.of(LinuxBridgeAttach.recognise(guest, link, peer.get()));
        }
        return OvsAttach.recognise(guest, link, peer.get(), view)
                .or(() -> Optional.of(LinuxBridgeAttach.recognise(guest, link, peer.get())));
    }

    /**
     * The attachment with the leases of its kept clients, from their lease files (dhclient's own;
     * for a udhcpc, the one its hook writes).
     */
    public Attachment withLeases(Attachment a, MachineView view) {
        List<DhcpKeeping.Lease> leases = new ArrayList<>();
        for (DhcpKeeping.Kept k : DhcpSource.keptOf(a.guest().netnsInode(), Optional.of(a.containerInterface()), view)) {
            Optional<DhcpKeeping.Lease> lease = k.client().equals("dhclient")
                    ? view.leaseFile(k.leaseFile()).flatMap(text -> DhcpKeeping.lastLease(k.key(), text))
                    : view.leaseFile(k.leaseFile()).flatMap(text -> DhcpKeeping.udhcpcLeaseOf(k.key(), text));
            leases.add(lease.orElse(new DhcpKeeping.Lease(k.key(), k.client(), Optional.empty(), Optional.empty(),
                    Optional.empty())));
        }
        return leases.isEmpty() ? a : a.withLeases(leases);
    }

    /** The lease keeper's restart of a kept DHCP client that died, in the guest's namespace as held. */
    public Plan planKeptRestart(DhcpKeeping.Kept kept, Guest guest, MachineView view) {
        return new Plan(DhcpSource.restart(kept, guest, view), List.of(), List.of());
    }

    /** udhcpc's hook and its arguments as this pipework writes them, where they are not so already. */
    public Plan planUdhcpcHook(MachineView view) {
        List<Step> steps = new ArrayList<>();
        UdhcpcHook.steps(view, steps);
        return new Plan(steps, List.of(), List.of());
    }

    /** {@code pipework shim <nic> <ip>/<prefix>}: see {@link ShimAttach}. */
    public Plan planShim(String nic, IpCidr address, MachineView view) {
        return ShimAttach.attach(nic, address, view);
    }

    /** {@code pipework del shim <nic>}. */
    public Plan planShimDelete(String nic, MachineView view) {
        return ShimAttach.removal(nic, view);
    }

    /** Open vSwitch ports an attach made whose interface is gone, for {@code status}. */
    public List<OvsPort> staleOvsPorts(MachineView view) {
        return OvsAttach.stalePorts(view);
    }

    /** {@link #staleOvsPorts} of one container, known by its ID: only its own ports are asked for. */
    public List<OvsPort> staleOvsPortsOf(String containerId, MachineView view) {
        return OvsAttach.stalePortsOf(containerId, view);
    }

    /** An overlay that follows etcd brought to the peers registered: see {@link OverlayPlan#follow}. */
    public Plan planOverlayPeers(String name, java.util.Map<String, String> registered, MachineView view) {
        return OverlayPlan.follow(name, registered, view);
    }

    /** {@code pipework overlay add}: see {@link OverlayPlan}. */
    public Plan planOverlay(OverlayRequest request, MachineView view) {
        return OverlayPlan.add(request, view);
    }

    /** {@code pipework overlay rm <name>}; empty when there is no such overlay. */
    public Plan planOverlayRemove(String name, MachineView view) {
        return OverlayPlan.remove(name, view);
    }

    /** The overlays on the host, for {@code status}. */
    public List<Overlay> overlays(MachineView view) {
        return Overlay.all(view);
    }

    /** The shims on the host, for {@code status}. */
    public List<Attachment> shims(MachineView view) {
        return ShimAttach.recognise(view);
    }

    /**
     * The plan for {@code del}: the guest's attachments of that interface (or all), the DHCP
     * clients left running for them, and Open vSwitch records of the container whose links are gone.
     * Empty when there is nothing to remove.
     *
     * @param guest       the guest, when it still exists (a removed container can still have records)
     * @param token       the guest as named on the command line
     * @param containerIf the interface to remove, or empty for all
     */
    public Plan planDelete(Optional<Guest> guest, String token, Optional<String> containerIf, MachineView view) {
        return planDelete(guest, token, containerIf, view, true);
    }

    /**
     * The removal of one interface a CNI network made ({@code containerIf}, on {@code hostInterface}).
     * Where that host interface is a Linux bridge, no Open vSwitch record can be of this interface
     * (a runtime names a container's interface once, across its networks), so the switch's database
     * is not asked for the container's stale records.
     */
    public Plan planNetworkDelete(Optional<Guest> guest, String token, String containerIf, String hostInterface,
                                  MachineView view) {
        boolean linuxBridge = view.link(hostInterface).map(LinkFacts::linuxBridge).orElse(false);
        return planDelete(guest, token, Optional.of(containerIf), view, !linuxBridge);
    }

    private Plan planDelete(Optional<Guest> guest, String token, Optional<String> containerIf, MachineView view,
                            boolean openVswitchRecords) {
        List<Attachment> selected = new ArrayList<>();
        int remaining = 0;
        if (guest.isPresent()) {
            for (Attachment a : attachments(guest.get(), view)) {
                if (containerIf.isEmpty() || a.containerInterface().equals(containerIf.get())) {
                    selected.add(a);
                } else {
                    remaining++;
                }
            }
        }
        // The engine holds a driver's endpoint: removed behind its back, it would be plumbed back by
        // nobody and still shown by docker network inspect. Named (-i), or all there is: refused;
        // among others, left with a notice while the others go.
        List<Attachment> endpoints = selected.stream()
                .filter(a -> a.hostInterface().filter(DriverPlans::isDriverHostEnd).isPresent()).toList();
        List<String> notices = new ArrayList<>();
        if (!endpoints.isEmpty() && (containerIf.isPresent() || endpoints.size() == selected.size())) {
            Attachment a = endpoints.get(0);
            throw new PipeworkException(endpointMessage(a));
        }
        for (Attachment a : endpoints) {
            notices.add("pipework: left " + endpointMessage(a));
            selected.remove(a);
            remaining++;
        }
        // A veth off any Linux bridge is an Open vSwitch port unless the switch's database says not:
        // one it did not answer for would lose its link and keep its port record (half removed).
        if (selected.stream().anyMatch(a -> a.kind() == AttachKind.VETH)) {
            view.ovsDatabaseDown().ifPresent(down -> {
                throw new PipeworkException(down);
            });
        }
        List<Step> stale = openVswitchRecords ? OvsAttach.staleRecords(guest, token, containerIf, view) : List.of();
        List<Step> steps = new ArrayList<>();
        if (guest.isPresent()) {
            steps.addAll(DhcpSource.removal(guest.get(), containerIf, remaining == 0, view));
        }
        for (Attachment a : selected) {
            steps.addAll(switch (a.kind()) {
                case LINUX, VETH -> LinuxBridgeAttach.remove(a);
                case OVS -> OvsAttach.remove(a);
                case MACVLAN -> MacvlanAttach.remove(a);
                case DIRECT -> DirectAttach.remove(a, view);
                case DUMMY -> DummyAttach.remove(a);
                case IPOIB -> IpoibAttach.remove(a);
                case SHIM -> ShimAttach.remove(a);
            });
        }
        steps.addAll(stale);
        return new Plan(steps, notices, List.of());
    }

    private static String endpointMessage(Attachment a) {
        return "interface " + a.containerInterface() + " of " + a.guest().describe()
                + " is an endpoint of a Docker network (pipework driver): remove it with docker network"
                + " disconnect <network> " + a.guest().displayName();
    }

    /**
     * Open vSwitch records of a container whose links are gone, what an earlier run of it left
     * behind; its live attachments are not touched.
     */
    public Plan planStaleRecords(Guest guest, MachineView view) {
        return new Plan(OvsAttach.staleRecords(Optional.of(guest), guest.token(), Optional.empty(), view),
                List.of(), List.of());
    }
}
