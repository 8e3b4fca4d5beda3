package dev.pipework.plan;

import dev.pipework.guest.Attachment;
import dev.pipework.guest.AttachmentInspector;
import dev.pipework.guest.Guest;
import dev.pipework.host.LinkFacts;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.Family;
import dev.pipework.model.IpAddress;
import dev.pipework.model.PipeworkException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a request and the facts gathered for it into a plan. It reads nothing and changes nothing:
 * every decision of a run (which kind of host interface, create or reuse, which names) is made here.
 */
public final class Planner {
    /** The MTU the kernel gives a new bridge before any port joins it. */
    static final int DEFAULT_MTU = 1500;
    static final int ARPHRD_INFINIBAND = 32;

    /**
     * Classifies the host interface as the original does: an existing Linux bridge, Open vSwitch
     * bridge, IPoIB or other interface; or, when none exists, a bridge to create from its name
     * ({@code br*}: Linux, {@code ovs*}: Open vSwitch) or a dummy.
     */
    public HostTarget hostTarget(AttachRequest request, HostFacts host) {
        String name = request.hostInterface();
        Optional<LinkFacts> link = host.link(name);
        HostTarget target;
        if (link.isPresent()) {
            LinkFacts l = link.get();
            HostTarget.Kind kind;
            if (l.linuxBridge()) {
                kind = HostTarget.Kind.LINUX_BRIDGE;
            } else if (host.ovsBridges().contains(name)) {
                kind = HostTarget.Kind.OVS_BRIDGE;
            } else if (l.type() == ARPHRD_INFINIBAND) {
                kind = HostTarget.Kind.IPOIB;
            } else {
                kind = HostTarget.Kind.PHYSICAL;
            }
            target = new HostTarget(kind, name, true, l.mtu(), l.up());
        } else if (name.startsWith("br")) {
            target = new HostTarget(HostTarget.Kind.LINUX_BRIDGE, name, false, DEFAULT_MTU, false);
        } else if (name.startsWith("ovs")) {
            if (!host.ovsInstalled()) {
                throw PipeworkException.original("Need OVS installed on the system to create an ovs bridge");
            }
            target = new HostTarget(HostTarget.Kind.OVS_BRIDGE, name, false, DEFAULT_MTU, false);
        } else if (name.startsWith("dummy")) {
            target = new HostTarget(HostTarget.Kind.DUMMY, name, false, DEFAULT_MTU, false);
        } else {
            throw PipeworkException.original("I do not know how to setup interface " + name + ".");
        }
        checkSupported(request, target, host);
        return target;
    }

    private static void checkSupported(AttachRequest request, HostTarget target, HostFacts host) {
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
        if (request.address() instanceof AddressSpec.Dhcp dhcp && !dhcp.client().equals("dhcp")
                && !host.installed(dhcp.client())) {
            throw PipeworkException.original("You asked for DHCP client " + dhcp.client() + ", but I can't find it.");
        }
    }

    /** The default name of the interface in the guest: {@code ib0} on InfiniBand (the IPoIB driver insists), else {@code eth1}. */
    public static String containerInterface(AttachRequest request, HostTarget target) {
        return request.containerInterface().orElse(target.kind() == HostTarget.Kind.IPOIB ? "ib0" : "eth1");
    }

    /** The plan for an attach. */
    public Plan planAttach(AttachRequest request, HostTarget target, Guest guest, HostFacts host, GuestFacts inside) {
        List<Step> steps = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String containerIf = containerInterface(request, target);
        Where in = Where.guest(guest.netnsPath());
        if (request.address() instanceof AddressSpec.Dhcp dhcp && dhcp.client().equals("dhcp")
                && guest.kind() != Guest.Kind.DOCKER) {
            throw PipeworkException.original(String.join("\n",
                    "You asked for a Docker-specific DHCP method.",
                    "However, " + guest.token() + " doesn't seem to be a Docker container.",
                    "Try to replace 'dhcp' with another option?",
                    "Aborting."));
        }
        Arrival arrival;
        switch (target.kind()) {
            case LINUX_BRIDGE:
            case OVS_BRIDGE:
                arrival = veth(request, target, guest, host, containerIf, steps, notices);
                break;
            case PHYSICAL:
                arrival = physical(request, target, guest, host, containerIf, steps);
                break;
            case DUMMY:
                arrival = dummy(guest, host, containerIf, steps);
                break;
            default:
                arrival = ipoib(request, target, guest, host, steps);
                break;
        }
        boolean ownLink = arrival.returnsToHost();
        steps.add(new Steps.RenameLink(in, arrival.name(), containerIf, ownLink));
        arrival.alias().ifPresent(alias -> steps.add(new Steps.SetAlias(in, containerIf, alias)));
        request.mac().ifPresent(mac -> steps.add(new Steps.SetMacAddress(in, containerIf, mac, arrival.restoreMac())));
        configureAddress(request, guest, host, inside, containerIf, ownLink, in, steps, warnings);
        return new Plan(steps, notices, warnings);
    }

    /**
     * How the new link arrives in the guest: its name there before the rename, the alias that marks
     * it when it lives wholly in the guest (a veth is known by its host end instead), and the MAC
     * to give back to a NIC that returns to the host.
     */
    private record Arrival(String name, boolean returnsToHost, Optional<String> alias, Optional<String> restoreMac) {
    }

    private Arrival veth(AttachRequest request, HostTarget target, Guest guest, HostFacts host, String containerIf,
                         List<Step> steps, List<String> notices) {
        String bridge = target.name();
        if (!target.exists()) {
            if (target.kind() == HostTarget.Kind.LINUX_BRIDGE) {
                steps.add(new Steps.AddLinuxBridge(bridge));
                steps.add(new Steps.SetLinkUp(Where.HOST, bridge));
            } else {
                boolean userspace = !host.ovsKernelDatapath();
                if (userspace) {
                    notices.add("pipework: creating Open vSwitch bridge \"" + bridge + "\" with datapath_type=netdev:"
                            + " this kernel has no openvswitch module");
                }
                steps.add(new Steps.AddOvsBridge(bridge, userspace));
            }
        }
        String local = request.localInterface().orElse(Names.vethHostEnd(containerIf, guest.nameNumber()));
        String peer = Names.vethGuestEnd(containerIf, guest.nameNumber());
        Optional<LinkFacts> existing = host.link(local);
        if (existing.isPresent()) {
            if (existing.get().up()) {
                throw PipeworkException.original("Link " + local + " exists and is up");
            }
            steps.add(new Steps.DeleteLink(Where.HOST, local));
        }
        steps.add(new Steps.AddVethPair(local, peer, target.mtu()));
        if (target.kind() == HostTarget.Kind.LINUX_BRIDGE) {
            steps.add(new Steps.SetMaster(local, bridge));
        } else {
            steps.add(new Steps.AddOvsPort(bridge, local, request.vlan(), externalIds(request, guest, local, bridge)));
        }
        steps.add(new Steps.SetAlias(Where.HOST, local, AttachmentInspector.HOST_ALIAS));
        steps.add(new Steps.SetLinkUp(Where.HOST, local));
        steps.add(new Steps.MoveToNetns(peer, guest.netnsPath(), guest.describe()));
        return new Arrival(peer, false, Optional.empty(), Optional.empty());
    }

    /**
     * A NIC: with {@code @vlan} its 802.1Q sub-interface {@code <nic>.<vlan>} (made when missing) is
     * the parent; then either a macvlan in bridge mode on the parent goes to the guest, or with
     * {@code --direct-phys} the parent itself does.
     */
    private Arrival physical(AttachRequest request, HostTarget target, Guest guest, HostFacts host, String containerIf,
                             List<Step> steps) {
        String parent = target.name();
        boolean parentUp = target.up();
        Optional<LinkFacts> parentLink = host.link(parent);
        if (request.vlan().isPresent()) {
            int id = request.vlan().get().id();
            String sub = parent + "." + id;
            if (sub.length() > Names.MAX) {
                throw new PipeworkException("VLAN interface name \"" + sub + "\" is longer than " + Names.MAX
                        + " bytes: Linux refuses it");
            }
            Optional<LinkFacts> existing = host.link(sub);
            if (existing.isPresent()) {
                if (!existing.get().vlanId().equals(Optional.of(id))) {
                    throw PipeworkException.original(sub + " already exists but is not a VLAN device for tag " + id);
                }
            } else {
                steps.add(new Steps.AddVlanLink(parent, sub, target.mtu(), id));
            }
            if (!target.up()) {
                steps.add(new Steps.SetLinkUp(Where.HOST, parent, true));
            }
            parent = sub;
            parentUp = existing.map(LinkFacts::up).orElse(false);
            parentLink = existing;
        }
        if (request.directPhys()) {
            return direct(parent, parentUp, parentLink, guest, host, steps);
        }
        String macvlan = ("ph" + guest.nameNumber() + containerIf);
        macvlan = macvlan.substring(0, Math.min(Names.MAX, macvlan.length()));
        steps.add(new Steps.AddMacvlan(parent, macvlan, target.mtu()));
        if (!parentUp) {
            steps.add(new Steps.SetLinkUp(Where.HOST, parent, true));
        }
        steps.add(new Steps.MoveToNetns(macvlan, guest.netnsPath(), guest.describe(), Optional.of(host.hostNetnsPath())));
        return new Arrival(macvlan, true, Optional.of(AttachmentInspector.HOST_ALIAS + " macvlan " + parent), Optional.empty());
    }

    /**
     * {@code --direct-phys}: the NIC itself moves. Undo restores what it was (name, MAC, alias, up);
     * {@code del} gives back its name and MAC, and leaves it down with no alias.
     */
    private Arrival direct(String nic, boolean up, Optional<LinkFacts> link, Guest guest, HostFacts host, List<Step> steps) {
        if (up) {
            steps.add(new Steps.SetLinkDown(Where.HOST, nic));
        }
        String alias = AttachmentInspector.HOST_ALIAS + " direct " + nic + link.map(l -> " " + l.mac()).orElse("");
        steps.add(new Steps.SetAlias(Where.HOST, nic, alias, Optional.of(link.map(LinkFacts::alias).orElse(""))));
        Optional<String> phy = link.flatMap(LinkFacts::wirelessPhy);
        if (phy.isPresent()) {
            if (guest.pid() <= 0) {
                throw new PipeworkException("wireless interface \"" + nic + "\" moves with its wiphy, which needs a guest"
                        + " with a PID, and " + guest.describe() + " has none");
            }
            steps.add(new Steps.MovePhyToNetns(phy.get(), nic, guest.pid(), guest.netnsPath(), guest.describe(),
                    host.hostPid()));
        } else {
            steps.add(new Steps.MoveToNetns(nic, guest.netnsPath(), guest.describe(), Optional.of(host.hostNetnsPath())));
        }
        return new Arrival(nic, true, Optional.empty(), link.map(LinkFacts::mac));
    }

    /** {@code dummy}: a dummy interface {@code du<pid><cif>} for the guest. */
    private Arrival dummy(Guest guest, HostFacts host, String containerIf, List<Step> steps) {
        String name = "du" + guest.nameNumber() + containerIf;
        if (name.length() > Names.MAX) {
            name = "du" + Names.shortHash(containerIf + "/" + guest.nameNumber());
        }
        steps.add(new Steps.AddDummy(name));
        steps.add(new Steps.MoveToNetns(name, guest.netnsPath(), guest.describe(), Optional.of(host.hostNetnsPath())));
        return new Arrival(name, true, Optional.of(AttachmentInspector.HOST_ALIAS + " dummy"), Optional.empty());
    }

    /** IPoIB: a child interface {@code <if>.<pid>}, or {@code <if>.<pkey>.<pid>} with a partition key. */
    private Arrival ipoib(AttachRequest request, HostTarget target, Guest guest, HostFacts host, List<Step> steps) {
        String parent = target.name();
        Optional<String> pkey = request.pkey();
        String name = parent + pkey.map(k -> "." + k).orElse("") + "." + guest.nameNumber();
        if (name.length() > Names.MAX) {
            name = "ib" + Names.shortHash(name);
        }
        steps.add(new Steps.AddIpoib(parent, name, pkey));
        if (!target.up()) {
            steps.add(new Steps.SetLinkUp(Where.HOST, parent, true));
        }
        steps.add(new Steps.MoveToNetns(name, guest.netnsPath(), guest.describe(), Optional.of(host.hostNetnsPath())));
        return new Arrival(name, true, Optional.of(AttachmentInspector.HOST_ALIAS + " ipoib " + parent), Optional.empty());
    }

    private static void configureAddress(AttachRequest request, Guest guest, HostFacts host, GuestFacts inside,
                                         String containerIf, boolean ownLink, Where in, List<Step> steps,
                                         List<String> warnings) {
        Family family = request.effectiveFamily();
        Optional<AddressSpec.Static> fixed = request.address() instanceof AddressSpec.Static s
                ? Optional.of(s) : Optional.empty();
        fixed.ifPresent(s -> steps.add(new Steps.AddAddress(in, family, s.address(), containerIf)));
        // A link that goes back to the host on undo must be down to be renamed back.
        steps.add(new Steps.SetLinkUp(in, containerIf, ownLink));
        if (request.address() instanceof AddressSpec.Dhcp dhcp) {
            dhcpClient(dhcp, guest, containerIf, in, steps);
            return;
        }
        if (fixed.isEmpty()) {
            return;
        }
        AddressSpec.Static address = fixed.get();
        if (address.gateway().isPresent()) {
            IpAddress gateway = address.gateway().get();
            if (!address.address().contains(gateway.bytes())) {
                // Like the original: a gateway outside the subnet gets an on-link host route first,
                // or the kernel refuses a default route through it.
                steps.add(new Steps.AddRoute(in, family, gateway + "/" + family.bits(), containerIf));
            }
            steps.add(new Steps.ReplaceDefaultRoute(in, family, gateway, containerIf, inside.defaultRoute()));
        }
        if (address.address().family() == Family.INET) {
            if (host.installed("arping")) {
                // arping outlives this process, and with it any descriptor held open here.
                steps.add(new Steps.Announce(Where.guest(guest.stableNetnsPath()), containerIf, address.address().address()));
            } else {
                warnings.add("Warning: arping not found; interface may not be immediately reachable");
            }
        }
    }

    /**
     * The DHCP client, with the original's arguments: the guest's name as DHCP hostname, pid and
     * lease files named after it. Without {@code -f} the client is stopped once it has a lease.
     */
    private static void dhcpClient(AddressSpec.Dhcp dhcp, Guest guest, String containerIf, Where in, List<Step> steps) {
        List<String> options = dhcp.options().isBlank() ? List.of() : List.of(dhcp.options().trim().split("\\s+"));
        if (dhcp.client().equals("dhcp")) {
            steps.add(new Steps.HelperDhcpClient(guest.containerId().orElseThrow(), guest.token(), containerIf, options));
            return;
        }
        String name = guest.token().replace('/', '_');
        // A name for the namespace for "ip netns exec", and an /etc/netns directory of its own.
        String netns = "pipework-" + guest.nameNumber();
        String mountPoint = "/var/run/netns/" + netns;
        String etc = "/etc/netns/" + netns;
        steps.add(new Steps.MakeDirectory("/var/run/netns"));
        steps.add(new Steps.CreateFile(mountPoint));
        steps.add(new Steps.BindMount(in.netnsPath(), mountPoint));
        steps.add(new Steps.MakeDirectory(etc, true));
        steps.add(new Steps.CreateFile(etc + "/resolv.conf"));
        List<Step> after = new ArrayList<>();
        switch (dhcp.client()) {
            case "udhcpc": {
                String pidFile = "/var/run/udhcpc." + name + ".pid";
                List<String> args = new ArrayList<>(List.of("-qi", containerIf, "-x", "hostname:" + guest.token(),
                        "-p", pidFile));
                args.addAll(options);
                if (dhcp.foreground()) {
                    args.add("-f");
                }
                steps.add(new Steps.HostDhcpClient(netns, "udhcpc", args, containerIf));
                if (!dhcp.foreground()) {
                    after.add(new Steps.RemoveFile(pidFile));
                }
                break;
            }
            case "dhclient": {
                String pidFile = "/var/run/dhclient." + name + ".pid";
                steps.add(new Steps.MakeDirectory("/etc/dhclient"));
                List<String> args = new ArrayList<>(List.of(containerIf, "-pf", pidFile,
                        "-lf", "/etc/dhclient/dhclient." + name + ".leases"));
                args.addAll(options);
                steps.add(new Steps.HostDhcpClient(netns, "dhclient", args, containerIf));
                if (!dhcp.foreground()) {
                    // dhclient stays in the background to renew; the original stops it so that it does
                    // not outlive the container.
                    after.add(new Steps.StopByPidFile(pidFile, "dhclient"));
                    after.add(new Steps.RemoveFile(pidFile));
                }
                break;
            }
            default:
                steps.add(new Steps.HostDhcpClient(netns, "dhcpcd", List.of("-q", containerIf, "-h", guest.token()),
                        containerIf));
                break;
        }
        steps.addAll(after);
        steps.add(new Steps.Unmount(mountPoint));
        steps.add(new Steps.RemoveFile(mountPoint));
        steps.add(new Steps.RemoveFile(etc + "/resolv.conf"));
        steps.add(new Steps.RemoveDirectory(etc));
    }

    /** The original's {@code external-ids:pipework.*} on the OVS interface, in its order. */
    private static Map<String, String> externalIds(AttachRequest request, Guest guest, String local, String bridge) {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("pipework.interface", local);
        ids.put("pipework.bridge", bridge);
        guest.containerId().ifPresent(id -> ids.put("pipework.containerid", id));
        guest.containerName().ifPresent(name -> ids.put("pipework.containername", name));
        ids.put("pipework.nspid", Long.toString(guest.nameNumber()));
        request.vlan().ifPresent(vlan -> ids.put("pipework.vlan", vlan.toString()));
        return ids;
    }

    /**
     * The plan that removes attachments: a veth goes with its host end (and its Open vSwitch port);
     * an interface that lives wholly in the guest is deleted there; Open vSwitch records of the
     * container whose links are already gone are dropped.
     */
    public Plan planDelete(List<Attachment> attachments, List<dev.pipework.host.OvsPort> stalePorts, String hostNetns) {
        List<Step> steps = new ArrayList<>();
        for (Attachment a : attachments) {
            Where in = Where.guest(a.guest().netnsPath());
            if (a.kind().equals("direct")) {
                // The NIC goes back to the host as it was: its name, its MAC, no alias, down.
                String nic = a.hostInterface().orElseThrow();
                steps.add(new Steps.SetLinkDown(in, a.containerInterface()));
                a.originalMac().filter(mac -> !mac.equals(a.mac())).ifPresent(mac ->
                        steps.add(new Steps.SetMacAddress(in, a.containerInterface(), dev.pipework.model.MacAddress.parseAny(mac))));
                if (!nic.equals(a.containerInterface())) {
                    steps.add(new Steps.RenameLink(in, a.containerInterface(), nic));
                }
                steps.add(new Steps.SetAlias(in, nic, ""));
                steps.add(new Steps.ReturnToHost(in, nic, hostNetns));
                continue;
            }
            if (a.kind().equals("ovs")) {
                steps.add(new Steps.RemoveOvsPort(a.bridge().orElseThrow(), a.hostInterface().orElseThrow()));
            }
            if (a.kind().equals("ovs") || a.kind().equals("linux") || a.kind().equals("veth")) {
                steps.add(new Steps.DeleteLink(Where.HOST, a.hostInterface().orElseThrow()));
            } else {
                steps.add(new Steps.DeleteLink(in, a.containerInterface()));
            }
        }
        for (dev.pipework.host.OvsPort port : stalePorts) {
            steps.add(new Steps.RemoveOvsPort(port.bridge(), port.name()));
        }
        return new Plan(steps, List.of(), List.of());
    }
}
