package dev.pipework.ipam;

import dev.pipework.model.Pool;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where the pools' leases are kept: the file store on one host, or etcd across many. A change is
 * decided from the pool's state alone; the file store runs it under the pool's lock, etcd
 * commits it only when no key it read has changed meanwhile (and decides again otherwise).
 */
public sealed interface Store permits FileStore, EtcdStore {

    /** The pool's state; empty when nothing was ever kept. */
    PoolState read(Pool pool);

    /**
     * One change of a pool: read, decide, write what changed. {@code decide} may be run more than
     * once (another host changed the pool meanwhile): it keeps no result of a run but the last.
     *
     * @param flush whether the change must be on the disk before this returns (all but a confirmation)
     */
    Allocator.Given change(Pool pool, boolean flush, Function<PoolState, Allocator.Given> decide);

    /** Whether the store may keep anything of this pool (a file store without the pool's file: no). */
    boolean has(String pool);

    /**
     * Forgets the pool: {@code check} sees its state first, and refuses by throwing; {@code then}
     * runs once the check holds for what is removed (the file store: under the pool's lock, before
     * its file goes; etcd: once the transaction deleting its keys committed).
     */
    void remove(Pool pool, Consumer<PoolState> check, Runnable then);
}
