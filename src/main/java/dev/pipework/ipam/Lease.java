package dev.pipework.ipam;

import dev.pipework.model.IpAddress;

/**
 * One address of a pool, as the store keeps it.
 *
 * @param state   {@code claimed}: taken by the run {@code pid} (started at {@code start}, in ms
 *                since the epoch) that plumbs it now; {@code held}: plumbed; {@code cooling}: given
 *                back at {@code since}, given again to its last holder at once, to others once the
 *                cooldown is over
 * @param since   when it entered this state, in ms since the epoch
 */
public record Lease(IpAddress address, Holder holder, State state, long pid, long start, long since) {

    public enum State { CLAIMED, HELD, COOLING }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lease l && address.equals(l.address) && holder.equals(l.holder) && state == l.state
                && pid == l.pid && start == l.start && since == l.since;
    }

    @Override
    public int hashCode() {
        return ((address.hashCode() * 31 + holder.hashCode()) * 31 + state.hashCode()) * 31
                + Long.hashCode(pid ^ start ^ since);
    }

    public Lease with(State next, long at) {
        return new Lease(address, holder, next, next == State.CLAIMED ? pid : 0, next == State.CLAIMED ? start : 0, at);
    }
}
