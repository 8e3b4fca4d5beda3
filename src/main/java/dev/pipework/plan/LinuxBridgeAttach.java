package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.sys.Where;

import java.util.List;
import java.util.Optional;

/**
 * A Linux bridge: used when it exists, created when its name starts with {@code br}; a veth pair
 * joins it. Its attachments are veths whose host end is a port of a Linux bridge ({@code linux}),
 * or of none any more ({@code veth}).
 */
final class LinuxBridgeAttach {
    private LinuxBridgeAttach() {
    }

    static Arrival attach(AttachContext c) {
        String bridge = c.target().name();
        if (!c.target().exists()) {
            c.steps().add(new LinkSteps.AddLinuxBridge(bridge));
            c.steps().add(new LinkSteps.SetLinkUp(Where.HOST, bridge));
        }
        return VethPair.plan(c, local -> new LinkSteps.SetMaster(local, bridge));
    }

    /** A veth whose plumbed host end is not an Open vSwitch port. */
    static Attachment recognise(Guest guest, GuestLink link, HostLink peer) {
        if (peer.master().isPresent() && peer.masterLinuxBridge()) {
            return Attachment.of(guest, link, AttachKind.LINUX, Optional.of(peer.name()), peer.master(),
                    Optional.empty(), Optional.empty());
        }
        return Attachment.of(guest, link, AttachKind.VETH, Optional.of(peer.name()), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** Deleting the host end deletes the pair. */
    static List<Step> remove(Attachment a) {
        return List.of(new LinkSteps.DeleteLink(Where.HOST, a.hostInterface().orElseThrow()));
    }
}
