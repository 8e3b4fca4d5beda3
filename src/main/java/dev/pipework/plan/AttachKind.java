package dev.pipework.plan;

import java.util.Optional;

/**
 * What an attachment is, as {@code status} names it. Every switch over it is exhaustive: a new
 * kind does not compile until each place handles it.
 */
public enum AttachKind {
    /** A veth whose host end is a port of a Linux bridge. */
    LINUX("linux", false, Anchor.BRIDGE),
    /** A veth whose host end is an Open vSwitch port. */
    OVS("ovs", false, Anchor.BRIDGE),
    /** A veth whose host end is on no bridge (its bridge went away). */
    VETH("veth", false, Anchor.VETH),
    MACVLAN("macvlan", true, Anchor.NIC),
    /** A NIC moved whole into the guest. */
    DIRECT("direct", true, Anchor.NIC),
    DUMMY("dummy", true, Anchor.NONE),
    IPOIB("ipoib", true, Anchor.NIC),
    /** A macvlan on the host over a NIC, through which the host reaches that NIC's macvlan guests. */
    SHIM("shim", false, Anchor.NONE);

    /** What a guest's interface of a kind hangs off on the host ({@code status --graph} draws it so). */
    public enum Anchor {
        /** The bridge its veth's host end is a port of. */
        BRIDGE,
        /** Its veth's host end, on no bridge. */
        VETH,
        /** The NIC it is a child of, or was moved from (its host interface). */
        NIC,
        /** Nothing on the host: a link of the guest's own, or no guest's interface at all (the shim). */
        NONE
    }

    private final String key;
    private final boolean livesInGuest;
    private final Anchor anchor;

    AttachKind(String key, boolean livesInGuest, Anchor anchor) {
        this.key = key;
        this.livesInGuest = livesInGuest;
        this.anchor = anchor;
    }

    /** What the guest's interface hangs off on the host. */
    public Anchor anchor() {
        return anchor;
    }

    public String key() {
        return key;
    }

    /**
     * Whether the interface lives wholly in the guest (marked there by its own alias), rather than
     * as a veth known by its host end.
     */
    public boolean livesInGuest() {
        return livesInGuest;
    }

    public static Optional<AttachKind> ofKey(String key) {
        for (AttachKind kind : values()) {
            if (kind.key.equals(key)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
