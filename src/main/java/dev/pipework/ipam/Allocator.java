package dev.pipework.ipam;

import dev.pipework.model.IpAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Pool;

import java.math.BigInteger;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which address a holder gets from a pool, decided from the pool's state alone (no input or
 * output): its own address when it holds one; else the lowest address the pool gives that nobody
 * holds or claims and that is not cooling down.
 */
public final class Allocator {
    private final long now;
    private final long cooldownMillis;
    private final Predicate<Lease> claimerAlive;
    private final long pid;
    private final long start;

    /**
     * @param now          the time, in ms since the epoch
     * @param cooldownMillis how long an address given back waits before another holder gets it
     * @param claimerAlive whether the run that claimed an address still runs
     * @param pid          this run's process, written in its claims
     * @param start        when this run's process started, in ms since the epoch
     */
    public Allocator(long now, long cooldownMillis, Predicate<Lease> claimerAlive, long pid, long start) {
        this.now = now;
        this.cooldownMillis = cooldownMillis;
        this.claimerAlive = claimerAlive;
        this.pid = pid;
        this.start = start;
    }

    /**
     * What one claim did.
     *
     * @param state    the pool's state with the claim
     * @param lease    the claim, or the lease the holder had
     * @param previous what was there before (a lease cooling down), to put back on undo
     * @param fresh    whether this run claimed it (and so gives it back when it fails)
     */
    public record Given(PoolState state, Lease lease, Optional<Lease> previous, boolean fresh) {
    }

    /**
     * The state without what is over: claims of runs that no longer run become cooling down (an
     * interface may have been plumbed with the address before the run was killed), and addresses
     * cooled down are free again.
     */
    public PoolState tidy(PoolState state) {
        PoolState next = state;
        for (Lease l : state.list()) {
            if (l.state() == Lease.State.CLAIMED && !claimerAlive.test(l)) {
                next = next.put(l.with(Lease.State.COOLING, now));
            } else if (l.state() == Lease.State.COOLING && now - l.since() >= cooldownMillis) {
                next = next.remove(l.address());
            }
        }
        return next;
    }

    /** An address of the pool for this holder. */
    public Given allocate(Pool pool, PoolState state, Holder holder) {
        PoolState tidy = tidy(state);
        Optional<Lease> own = tidy.list().stream().filter(l -> l.holder().equals(holder)).findFirst();
        if (own.isPresent() && own.get().state() != Lease.State.COOLING && pool.gives(own.get().address())) {
            // A claim of this very run (etcd: a transaction that committed though its answer was lost, and was sent again).
            boolean ours = own.get().state() == Lease.State.CLAIMED && own.get().pid() == pid && own.get().start() == start;
            return new Given(tidy, own.get(), Optional.empty(), ours);
        }
        if (own.isPresent() && own.get().state() == Lease.State.COOLING && pool.gives(own.get().address())) {
            Lease claim = claim(own.get().address(), holder);
            return new Given(tidy.put(claim), claim, own, true);
        }
        for (BigInteger[] span : pool.spans()) {
            for (BigInteger n = span[0]; n.compareTo(span[1]) <= 0; n = n.add(BigInteger.ONE)) {
                if (tidy.leases().containsKey(n)) {
                    continue;
                }
                IpAddress address = pool.address(n);
                if (pool.gives(address)) {
                    Lease claim = claim(address, holder);
                    return new Given(tidy.put(claim), claim, Optional.empty(), true);
                }
            }
        }
        long cooling = tidy.list().stream().filter(l -> l.state() == Lease.State.COOLING).count();
        throw new PipeworkException("pool \"" + pool.name() + "\" has no free address: " + (tidy.leases().size() - cooling)
                + " held" + (cooling > 0 ? ", " + cooling + " cooling down (given back less than "
                + cooldownMillis / 1000 + " s ago)" : ""));
    }

    /** A fixed address inside the pool's subnet, reserved for this holder. */
    public Given reserve(Pool pool, PoolState state, Holder holder, IpAddress address) {
        PoolState tidy = tidy(state);
        Lease there = tidy.leases().get(Pool.number(address));
        if (there != null && there.state() != Lease.State.COOLING) {
            if (there.holder().equals(holder)) {
                // As in allocate: a claim of this very run, sent again after its answer was lost, is still this run's.
                boolean ours = there.state() == Lease.State.CLAIMED && there.pid() == pid && there.start() == start;
                return new Given(tidy, there, Optional.empty(), ours);
            }
            throw new PipeworkException("address " + address + " of pool \"" + pool.name() + "\" is held by "
                    + there.holder().describe());
        }
        Lease claim = claim(address, holder);
        return new Given(tidy.put(claim), claim, Optional.ofNullable(there), true);
    }

    /** The holder's addresses (every one, or of one interface) given back: cooling down from now. */
    public PoolState release(PoolState state, Holder holder, boolean everyInterface) {
        PoolState next = state;
        for (Lease l : state.list()) {
            boolean mine = everyInterface ? l.holder().sameGuest(holder) : l.holder().equals(holder);
            if (mine && l.state() != Lease.State.COOLING) {
                next = next.put(l.with(Lease.State.COOLING, now));
            }
        }
        return next;
    }

    private Lease claim(IpAddress address, Holder holder) {
        return new Lease(address, holder, Lease.State.CLAIMED, pid, start, now);
    }
}
