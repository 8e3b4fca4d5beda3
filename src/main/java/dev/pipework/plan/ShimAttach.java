package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.model.IpCidr;
import dev.pipework.model.MacvlanMode;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Runtime;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code pipework shim <nic> <ip>/<prefix>}: the kernel passes no traffic between a macvlan and its
 * parent, so the host cannot reach its own macvlan guests through the NIC. A macvlan in bridge mode
 * on the host over the same NIC, with an address of its own, can. It is named {@code shim-<nic>}
 * (or {@code shim} and a hash, past 15 bytes) and marked {@code pipework shim <nic>}.
 */
final class ShimAttach {
    /** The host, as the guest a shim belongs to in {@code status}. */
    static final Runtime HOST = new Runtime("host", "the host", false);

    private ShimAttach() {
    }

    static String name(String nic) {
        String name = "shim-" + nic;
        return name.length() <= Names.MAX ? name : "shim" + Names.shortHash(nic);
    }

    /** The host's links, read through its own namespace like a guest's. */
    static List<GuestLink> hostLinks(MachineView view) {
        return view.guestLinks(view.hostNetnsPath(), MachineView.HOST_AS_GUEST);
    }

    static Guest host(MachineView view) {
        return new Guest("host", HOST, Optional.empty(), Optional.empty(), (int) view.hostPid(),
                view.hostNetnsPath(), 0);
    }

    /** Creates the shim, or keeps it when it is there as asked (an empty plan with a notice). */
    static Plan attach(String nic, IpCidr address, MachineView view) {
        LinkFacts parent = view.link(nic).orElseThrow(() -> new PipeworkException("host interface \"" + nic
                + "\" does not exist: a shim goes on the NIC whose macvlan guests the host is to reach"));
        String name = name(nic);
        String alias = Alias.mark(AttachKind.SHIM, nic);
        Optional<GuestLink> existing = hostLinks(view).stream().filter(l -> l.name().equals(name)).findFirst();
        if (existing.isPresent()) {
            GuestLink shim = existing.get();
            if (!shim.alias().equals(alias)) {
                throw new PipeworkException("host interface \"" + name + "\" exists and is not the shim of \"" + nic
                        + "\"");
            }
            if (shim.addresses().contains(address.toString())) {
                return new Plan(List.of(), List.of("pipework: the shim \"" + name + "\" of \"" + nic
                        + "\" is already in place with " + address), List.of());
            }
            throw new PipeworkException("the shim \"" + name + "\" of \"" + nic + "\" has "
                    + (shim.addresses().isEmpty() ? "no address" : String.join(",", shim.addresses()))
                    + ", not " + address + ": remove it first with pipework del shim " + nic);
        }
        for (GuestLink link : hostLinks(view)) {
            for (String used : link.addresses()) {
                if (used.substring(0, used.indexOf('/')).equals(address.address())) {
                    throw new PipeworkException("shim address \"" + address + "\" is already used on host interface \""
                            + link.name() + "\"");
                }
            }
        }
        List<Step> steps = new ArrayList<>();
        steps.add(new LinkSteps.AddMacvlan(nic, name, parent.mtu(), MacvlanMode.BRIDGE));
        steps.add(new LinkSteps.SetAlias(Where.HOST, name, alias));
        steps.add(new AddressSteps.AddAddress(Where.HOST, address.family(), address, name));
        steps.add(new LinkSteps.SetLinkUp(Where.HOST, name));
        return new Plan(steps, List.of(), List.of());
    }

    /** The shims on the host. */
    static List<Attachment> recognise(MachineView view) {
        List<Attachment> shims = new ArrayList<>();
        for (GuestLink link : hostLinks(view)) {
            Optional<String> nic = nicOf(link);
            nic.ifPresent(n -> shims.add(Attachment.of(host(view), link, AttachKind.SHIM, Optional.of(n),
                    Optional.empty(), Optional.empty(), Optional.empty())));
        }
        return shims;
    }

    /** The NIC a host link is the shim of: marked so, named so, and a macvlan. */
    private static Optional<String> nicOf(GuestLink link) {
        String prefix = Alias.HOST_END + " " + AttachKind.SHIM.key() + " ";
        if (!link.alias().startsWith(prefix) || !link.type().equals("macvlan")) {
            return Optional.empty();
        }
        String nic = link.alias().substring(prefix.length());
        return name(nic).equals(link.name()) ? Optional.of(nic) : Optional.empty();
    }

    static List<Step> remove(Attachment a) {
        return List.of(new LinkSteps.DeleteLink(Where.HOST, a.containerInterface()));
    }

    /** The plan that removes the shim of this NIC; empty when there is none. */
    static Plan removal(String nic, MachineView view) {
        List<Step> steps = new ArrayList<>();
        for (Attachment shim : recognise(view)) {
            if (shim.hostInterface().equals(Optional.of(nic))) {
                steps.addAll(remove(shim));
            }
        }
        return new Plan(steps, List.of(), List.of());
    }
}
