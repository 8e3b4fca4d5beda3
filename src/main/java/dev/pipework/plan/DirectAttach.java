package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.model.MacAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code --direct-phys}: the NIC itself (or its {@code @vlan} sub-interface) moves into the guest;
 * a wireless NIC moves with its wiphy. Undo restores what it was (name, MAC, alias, up); {@code del}
 * gives back its name and MAC, and leaves it down with no alias. It is marked with the alias
 * {@code pipework direct <name> <MAC>}, set while it is still on the host.
 */
final class DirectAttach {
    private DirectAttach() {
    }

    static Arrival attach(AttachContext c) {
        VlanParent parent = VlanParent.of(c);
        String nic = parent.name();
        Optional<LinkFacts> link = parent.link();
        if (parent.up()) {
            c.steps().add(new LinkSteps.SetLinkDown(Where.HOST, nic));
        }
        String alias = Alias.mark(AttachKind.DIRECT, link.map(l -> new String[] {nic, l.mac()})
                .orElse(new String[] {nic}));
        c.steps().add(new LinkSteps.SetAlias(Where.HOST, nic, alias, Optional.of(link.map(LinkFacts::alias).orElse(""))));
        Optional<String> phy = link.flatMap(LinkFacts::wirelessPhy);
        Guest guest = c.guest();
        if (phy.isPresent()) {
            if (guest.pid() <= 0) {
                throw new PipeworkException("wireless interface \"" + nic + "\" moves with its wiphy, which needs a guest"
                        + " with a PID, and " + guest.describe() + " has none");
            }
            c.steps().add(new LinkSteps.MovePhyToNetns(phy.get(), nic, guest.pid(), guest.netnsPath(),
                    guest.describe(), c.facts().hostPid()));
        } else {
            c.steps().add(new LinkSteps.MoveToNetns(nic, guest.netnsPath(), guest.describe(),
                    Optional.of(c.facts().hostNetnsPath())));
        }
        return new Arrival(nic, true, Optional.empty(), link.map(LinkFacts::mac));
    }

    /** Only a mark that names the NIC's host name is one. */
    static Optional<Attachment> recognise(Guest guest, GuestLink link, Alias.Mark mark) {
        if (mark.hostName().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Attachment.of(guest, link, AttachKind.DIRECT, mark.hostName(), Optional.empty(),
                Optional.empty(), mark.mac()));
    }

    /** The NIC goes back to the host as it was: its name, its MAC, no alias, down. */
    static List<Step> remove(Attachment a, Facts facts) {
        Where in = Where.guest(a.guest().netnsPath());
        String nic = a.hostInterface().orElseThrow();
        List<Step> steps = new ArrayList<>();
        steps.add(new LinkSteps.SetLinkDown(in, a.containerInterface()));
        a.originalMac().filter(mac -> !mac.equals(a.mac())).ifPresent(mac ->
                steps.add(new LinkSteps.SetMacAddress(in, a.containerInterface(), MacAddress.parseAny(mac))));
        if (!nic.equals(a.containerInterface())) {
            steps.add(new LinkSteps.RenameLink(in, a.containerInterface(), nic));
        }
        steps.add(new LinkSteps.SetAlias(in, nic, ""));
        steps.add(new LinkSteps.ReturnToHost(in, nic, facts.hostNetnsPath()));
        return steps;
    }
}
