package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.model.MacvlanMode;
import dev.pipework.sys.Where;

import java.util.List;
import java.util.Optional;

/**
 * A NIC (or its {@code @vlan} sub-interface): a macvlan on it (bridge mode unless
 * {@code --macvlan-mode} says otherwise), {@code ph<pid><cif>}
 * cut to 15 bytes, with the NIC's MTU (or {@code --mtu}), moves into the guest. It lives wholly in the guest and is
 * marked there with the alias {@code pipework macvlan <parent>}.
 */
final class MacvlanAttach {
    private MacvlanAttach() {
    }

    static Arrival attach(AttachContext c) {
        VlanParent parent = VlanParent.of(c);
        String macvlan = "ph" + c.guest().nameNumber() + c.containerIf();
        macvlan = macvlan.substring(0, Math.min(Names.MAX, macvlan.length()));
        c.steps().add(new LinkSteps.AddMacvlan(parent.name(), macvlan, Planner.mtu(c.request(), c.target()),
                c.request().macvlanMode().orElse(MacvlanMode.BRIDGE)));
        if (!parent.up()) {
            c.steps().add(new LinkSteps.SetLinkUp(Where.HOST, parent.name(), true));
        }
        c.steps().add(new LinkSteps.MoveNewLinkToNetns(macvlan, c.guest().netnsPath(), c.guest().describe()));
        return new Arrival(macvlan, true, Optional.of(Alias.mark(AttachKind.MACVLAN, parent.name())),
                Optional.empty());
    }

    static Attachment recognise(Guest guest, GuestLink link, Alias.Mark mark) {
        return Attachment.of(guest, link, AttachKind.MACVLAN, mark.hostName(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** Deleted in the guest, where it lives. */
    static List<Step> remove(Attachment a) {
        return List.of(new LinkSteps.DeleteLink(Where.guest(a.guest().netnsPath()), a.containerInterface()));
    }
}
