package dev.pipework.plan;

import java.util.Optional;

/**
 * What an attachment is, as {@code status} names it. Every switch over it is exhaustive: a new
 * kind does not compile until each place handles it.
 */
public enum AttachKind {
    /** A veth whose host end is a port of a Linux bridge. */
    LINUX("linux", false),
    /** A veth whose host end is an Open vSwitch port. */
    OVS("ovs", false),
    /** A veth whose host end is on no bridge (its bridge went away). */
    VETH("veth", false),
    MACVLAN("macvlan", true),
    /** A NIC moved whole into the guest. */
    DIRECT("direct", true),
    DUMMY("dummy", true),
    IPOIB("ipoib", true),
    /** A macvlan on the host over a NIC, through which the host reaches that NIC's macvlan guests. */
    SHIM("shim", false);

    private final String key;
    private final boolean livesInGuest;

    AttachKind(String key, boolean livesInGuest) {
        this.key = key;
        this.livesInGuest = livesInGuest;
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
