package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.model.Mtu;
import dev.pipework.sys.Where;

import java.util.List;
import java.util.Optional;

/**
 * IPoIB: a child interface {@code <if>.<pid>}, or {@code <if>.<pkey>.<pid>} with a partition key,
 * moves into the guest, marked {@code pipework ipoib <parent>}.
 */
final class IpoibAttach {
    private IpoibAttach() {
    }

    static Arrival attach(AttachContext c) {
        String parent = c.target().name();
        Guest guest = c.guest();
        Optional<String> pkey = c.request().pkey();
        String name = parent + pkey.map(k -> "." + k).orElse("") + "." + guest.nameNumber();
        if (name.length() > Names.MAX) {
            name = "ib" + Names.shortHash(name);
        }
        c.steps().add(new LinkSteps.AddChildLink(parent, name, c.request().mtu().map(Mtu::bytes), "ipoib",
                pkey.map(k -> List.of("pkey", "0x" + k)).orElse(List.of()), "IPoIB child"));
        if (!c.target().up()) {
            c.steps().add(new LinkSteps.SetLinkUp(Where.HOST, parent, true));
        }
        c.steps().add(new LinkSteps.MoveNewLinkToNetns(name, guest.netnsPath(), guest.describe()));
        return new Arrival(name, true, Optional.of(Alias.mark(AttachKind.IPOIB, parent)), Optional.empty());
    }

    static Attachment recognise(Guest guest, GuestLink link, Alias.Mark mark) {
        return Attachment.of(guest, link, AttachKind.IPOIB, mark.hostName(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** Deleted in the guest, where it lives. */
    static List<Step> remove(Attachment a) {
        return MacvlanAttach.remove(a);
    }
}
