package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.model.Mtu;

import java.util.List;
import java.util.Optional;

/** {@code dummy}: a dummy interface {@code du<pid><cif>} for the guest, marked {@code pipework dummy}. */
final class DummyAttach {
    private DummyAttach() {
    }

    static Arrival attach(AttachContext c) {
        Guest guest = c.guest();
        String name = "du" + guest.nameNumber() + c.containerIf();
        if (name.length() > Names.MAX) {
            name = "du" + Names.shortHash(c.containerIf() + "/" + guest.nameNumber());
        }
        c.steps().add(new LinkSteps.AddDummy(name, c.request().mtu().map(Mtu::bytes)));
        c.steps().add(new LinkSteps.MoveNewLinkToNetns(name, guest.netnsPath(), guest.describe()));
        return new Arrival(name, true, Optional.of(Alias.mark(AttachKind.DUMMY)), Optional.empty());
    }

    static Attachment recognise(Guest guest, GuestLink link, Alias.Mark mark) {
        return Attachment.of(guest, link, AttachKind.DUMMY, mark.hostName(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** Deleted in the guest, where it lives. */
    static List<Step> remove(Attachment a) {
        return MacvlanAttach.remove(a);
    }
}
