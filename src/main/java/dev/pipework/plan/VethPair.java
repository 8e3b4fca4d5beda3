package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.sys.Where;

import java.util.Optional;
import java.util.function.Function;

/**
 * The veth pair both bridge kinds use: the host end {@code v<cif>pl<pid>} (or {@code -l}) joins the
 * bridge and carries the alias {@code pipework}; the peer {@code v<cif>pg<pid>} is made in the guest.
 */
final class VethPair {
    private VethPair() {
    }

    static Arrival plan(AttachContext c, Function<String, Step> joinBridge) {
        String local = hostEnd(c);
        String peer = Names.vethGuestEnd(c.containerIf(), c.guest().nameNumber());
        Optional<LinkFacts> existing = c.view().link(local);
        if (existing.isPresent()) {
            if (existing.get().up()) {
                throw PipeworkException.original("Link " + local + " exists and is up" + collision(c, existing.get()));
            }
            c.steps().add(new LinkSteps.DeleteLink(Where.HOST, local));
        }
        c.steps().add(new LinkSteps.AddVethPair(local, peer, Planner.mtu(c.request(), c.target()),
                Optional.of(c.guest().netnsPath())));
        c.steps().add(joinBridge.apply(local));
        c.steps().add(new LinkSteps.SetAlias(Where.HOST, local, Alias.HOST_END));
        c.steps().add(new LinkSteps.SetLinkUp(Where.HOST, local));
        return new Arrival(peer, false, Optional.empty(), Optional.empty());
    }

    /** When {@code -l} named the link: what the name collides with, and what to do. */
    private static String collision(AttachContext c, LinkFacts link) {
        if (c.request().localInterface().isEmpty()) {
            return "";
        }
        String what = link.name().equals(c.target().name()) ? "the " + c.target().kind().description()
                + " this attach joins" : link.linuxBridge() ? "a Linux bridge" : "an interface of the host";
        return ": -l " + link.name() + " names the host end of the new veth pair, and " + link.name() + " is "
                + what + "; give -l a name no link has";
    }

    static String hostEnd(AttachContext c) {
        return c.request().localInterface().orElse(Names.vethHostEnd(c.containerIf(), c.guest().nameNumber()));
    }

    /**
     * The host end of a guest's veth, when the host side proves pipework made it: it points back at
     * the guest's link and carries the alias, is an Open vSwitch port with the {@code pipework.*}
     * external-ids, or is named as the original script names it ({@code v<cif>pl<pid>}).
     */
    static Optional<HostLink> plumbedPeer(Guest guest, GuestLink link, MachineView view) {
        if (!link.type().equals("veth") || link.peerIndex().isEmpty() || !link.peerInHost()) {
            return Optional.empty();
        }
        HostLink peer = view.hostLink(link.peerIndex().get(), Names.vethHostEnd(link.name(), guest.nameNumber()))
                .orElse(null);
        // The peer is the host's link of that index; that it points back at this one is checked
        // all the same.
        if (peer == null || peer.peerIndex() != link.index()) {
            return Optional.empty();
        }
        if (peer.alias().equals(Alias.HOST_END)
                || peer.name().matches("v" + java.util.regex.Pattern.quote(link.name()) + "pl[0-9]+")) {
            return Optional.of(peer);
        }
        return view.ovsPort(peer.name()).filter(OvsPort::plumbed).map(port -> peer);
    }
}
