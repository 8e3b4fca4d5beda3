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
    static final String NOT_YET = " is not supported yet";

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
        checkSupported(request, target);
        return target;
    }

    private static void checkSupported(AttachRequest request, HostTarget target) {
        if (target.kind() == HostTarget.Kind.LINUX_BRIDGE && request.vlan().isPresent()) {
            throw PipeworkException.original("VLAN configuration currently unsupported for Linux bridge.");
        }
        if (target.kind() == HostTarget.Kind.IPOIB && request.mac().isPresent()) {
            throw PipeworkException.original("MACADDR configuration unsupported for IPoIB interfaces.");
        }
        boolean bridge = target.kind() == HostTarget.Kind.LINUX_BRIDGE || target.kind() == HostTarget.Kind.OVS_BRIDGE;
        if (!bridge) {
            throw new PipeworkException("attaching to a " + target.kind().description() + " (\"" + target.name()
                    + "\")" + NOT_YET);
        }
        if (request.directPhys()) {
            throw new PipeworkException("--direct-phys needs a physical interface, and \"" + target.name()
                    + "\" is a " + target.kind().description());
        }
        if (request.address() instanceof AddressSpec.Dhcp dhcp) {
            throw new PipeworkException("DHCP client \"" + dhcp.client() + "\"" + NOT_YET);
        }
    }

    /** The plan for attaching a guest to a bridge. */
    public Plan planAttach(AttachRequest request, HostTarget target, Guest guest, HostFacts host, GuestFacts inside) {
        List<Step> steps = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String containerIf = request.containerInterface().orElse("eth1");
        String bridge = target.name();
        Where in = Where.guest(guest.netnsPath());

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
        steps.add(new Steps.RenameLink(in, peer, containerIf));
        request.mac().ifPresent(mac -> steps.add(new Steps.SetMacAddress(in, containerIf, mac)));
        configureAddress(request, guest, host, inside, containerIf, in, steps, warnings);
        return new Plan(steps, notices, warnings);
    }

    private static void configureAddress(AttachRequest request, Guest guest, HostFacts host, GuestFacts inside,
                                         String containerIf, Where in, List<Step> steps, List<String> warnings) {
        Family family = request.effectiveFamily();
        Optional<AddressSpec.Static> fixed = request.address() instanceof AddressSpec.Static s
                ? Optional.of(s) : Optional.empty();
        fixed.ifPresent(s -> steps.add(new Steps.AddAddress(in, family, s.address(), containerIf)));
        steps.add(new Steps.SetLinkUp(in, containerIf));
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
                steps.add(new Steps.Announce(in, containerIf, address.address().address()));
            } else {
                warnings.add("Warning: arping not found; interface may not be immediately reachable");
            }
        }
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
    public Plan planDelete(List<Attachment> attachments, List<dev.pipework.host.OvsPort> stalePorts) {
        List<Step> steps = new ArrayList<>();
        for (Attachment a : attachments) {
            Where in = Where.guest(a.guest().netnsPath());
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
