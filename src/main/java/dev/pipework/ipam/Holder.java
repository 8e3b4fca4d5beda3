package dev.pipework.ipam;

import dev.pipework.model.Guest;
import dev.pipework.model.InvalidValueException;

/**
 * Who holds an address: a guest's interface, the guest known by its runtime and the runtime's ID
 * for it (a Docker container's 64 hex digits, a CNI container ID, a namespace's name), so that a
 * container asked for again, after a restart too, is known as the same holder.
 */
public record Holder(String runtime, String id, String iface) {
    public Holder {
        for (String part : new String[] {runtime, id, iface}) {
            if (part.isEmpty() || part.length() > 256 || !part.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new InvalidValueException("holder \"" + runtime + " " + id + " " + iface
                        + "\" is not valid: expected three words of printable ASCII");
            }
        }
    }

    /** The guest's interface {@code iface} as a holder. */
    public static Holder of(Guest guest, String iface) {
        return new Holder(guest.runtime().key(), guest.id().orElse(guest.token()), iface);
    }

    /**
     * The same interface of a guest on another host, as an etcd store shows it: {@code
     * <runtime>@<host>}, never equal to a holder of this host.
     */
    public Holder onHost(String host) {
        return new Holder(runtime + "@" + host, id, iface);
    }

    /** The other host this holder is on; empty for this host's. */
    public java.util.Optional<String> host() {
        int at = runtime.indexOf('@');
        return at < 0 ? java.util.Optional.empty() : java.util.Optional.of(runtime.substring(at + 1));
    }

    /** Whether this holder is that guest (any interface). */
    public boolean sameGuest(Holder other) {
        return runtime.equals(other.runtime) && id.equals(other.id);
    }

    // equals and hashCode spelled out, here, in Lease and in PoolState: a record's own are linked
    // through method handles at their first call, which the start-up cache does not keep.
    @Override
    public boolean equals(Object o) {
        return o instanceof Holder h && runtime.equals(h.runtime) && id.equals(h.id) && iface.equals(h.iface);
    }

    @Override
    public int hashCode() {
        return (runtime.hashCode() * 31 + id.hashCode()) * 31 + iface.hashCode();
    }

    /** As {@code status} and messages show it. */
    public String describe() {
        String shown = id.length() == 64 && id.matches("[0-9a-f]+") ? id.substring(0, 12) : id;
        return runtime + " " + shown + " " + iface;
    }
}
