package dev.pipework.ipam;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Pool;
import dev.pipework.model.PoolAddress;
import dev.pipework.model.PoolUse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Address pools and their store: what a run claims before it plans, confirms once the interface
 * is plumbed, and gives back when the run fails; what {@code del} releases; what {@code pool ls}
 * and {@code status} show. The pools file is {@code /etc/pipework/pools} ({@code PIPEWORK_POOLS});
 * the store is the directory its {@code store = file:<dir>} names, or {@code PIPEWORK_IPAM_STORE},
 * else {@code /var/lib/pipework/ipam}.
 */
public final class Ipam {
    public static final Path DEFAULT_POOLS = Path.of("/etc/pipework/pools");
    public static final Path DEFAULT_STORE = Path.of("/var/lib/pipework/ipam");

    private final Path poolsPath;
    private final Optional<String> storeOverride;
    private final Optional<String> host;

    public Ipam(Path poolsPath, Optional<String> storeOverride) {
        this(poolsPath, storeOverride, Optional.empty());
    }

    /** @param host this host's name in an etcd store's claims; empty for its machine ID */
    public Ipam(Path poolsPath, Optional<String> storeOverride, Optional<String> host) {
        this.poolsPath = poolsPath;
        this.storeOverride = storeOverride;
        this.host = host;
    }

    /** The pools file and store this environment names ({@code PIPEWORK_POOLS}, {@code PIPEWORK_IPAM_STORE}). */
    public static Ipam fromEnvironment(Map<String, String> env) {
        String pools = env.get("PIPEWORK_POOLS");
        String store = env.get("PIPEWORK_IPAM_STORE");
        return new Ipam(pools == null || pools.isEmpty() ? DEFAULT_POOLS : Path.of(pools),
                Optional.ofNullable(store).filter(s -> !s.isEmpty()),
                Optional.ofNullable(env.get("PIPEWORK_HOST")).filter(s -> !s.isEmpty()))
                .withTls(env);
    }

    private Map<String, String> tlsEnv = Map.of();

    /** etcd's client certificate settings as etcdctl reads them ({@code ETCDCTL_CACERT}, {@code _CERT}, {@code _KEY}). */
    private Ipam withTls(Map<String, String> env) {
        Map<String, String> tls = new java.util.HashMap<>();
        for (String k : new String[] {"cacert", "cert", "key"}) {
            String v = env.get("ETCDCTL_" + k.toUpperCase(Locale.ROOT));
            if (v != null && !v.isEmpty()) {
                tls.put("etcd-" + k, v);
            }
        }
        tlsEnv = Map.copyOf(tls);
        return this;
    }

    public Path poolsPath() {
        return poolsPath;
    }

    /** The pools file as it is now; none declared when it does not exist. */
    public PoolsFile pools() {
        String text;
        try {
            text = Files.readString(poolsPath, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return PoolsFile.empty();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new PipeworkException("cannot read the pools file " + poolsPath + ": " + e.getMessage());
        }
        try {
            return PoolsFile.parse(text);
        } catch (InvalidValueException e) {
            throw new PipeworkException("pools file " + poolsPath + ": " + e.getMessage());
        }
    }

    /** The store the pools file (or the environment) names. */
    public Store store(PoolsFile pools) {
        String store = storeOverride.or(pools::store).orElse("file:" + DEFAULT_STORE);
        if (store.startsWith("etcd://")) {
            return EtcdStore.open(store, tls(pools), host.orElseGet(Ipam::machineId));
        }
        String dir = store.startsWith("file:") ? store.substring(5) : store;
        if (!dir.startsWith("/")) {
            throw new PipeworkException("store \"" + store + "\" is not valid: expected file:<absolute directory>");
        }
        return new FileStore(Path.of(dir));
    }

    /** The etcd store the environment or the pools file names, if any: where {@code peers etcd} overlays meet. */
    public Optional<String> etcdStore() {
        String store = storeOverride.or(() -> pools().store()).orElse("");
        return store.startsWith("etcd://") ? Optional.of(store) : Optional.empty();
    }

    /** The overlays' VTEPs in the etcd store, this host's held by a lease of {@code ttl} seconds. */
    public OverlayRegistry overlayRegistry(long ttl) {
        PoolsFile pools = pools();
        String url = etcdStore().orElseThrow(() -> new PipeworkException(OverlayRegistry.NO_ETCD));
        return OverlayRegistry.open(url, tls(pools), host.orElseGet(Ipam::machineId), ttl);
    }

    private Map<String, String> tls(PoolsFile pools) {
        Map<String, String> tls = new java.util.HashMap<>(pools.tls());
        tls.putAll(tlsEnv);
        return tls;
    }

    /** One address a claim took or found, in its pool. */
    public record Taken(Pool pool, Lease lease, Optional<Lease> previous, boolean fresh) {
        public PoolAddress shown() {
            Holder h = lease.holder();
            return new PoolAddress(pool.name(), h.runtime(), h.id(), h.iface(),
                    pool.cidr(lease.address()).toString(), lease.state().name().toLowerCase(Locale.ROOT), fresh);
        }
    }

    /**
     * What a run claimed: the address to plumb (a pool's word exchanged for the address it gave)
     * and the pools' addresses it took, in {@code store} (none when it took none): confirmed or
     * undone there, without the pools file read again.
     */
    public record Claim(AddressSpec address, List<Taken> taken, Optional<Store> store) {
        public List<PoolAddress> shown() {
            return taken.stream().map(Taken::shown).toList();
        }
    }

    /**
     * Claims what the address asks of the pools: for {@code pool:<name>}, an address of that pool;
     * for fixed addresses, each one that lies in a pool's subnet, reserved there for the holder.
     *
     * @param dryRun decide, change nothing
     */
    public Claim claim(AddressSpec address, Holder holder, boolean dryRun) {
        return claim(address, () -> holder, dryRun);
    }

    /**
     * The same, the holder made only when a pool is concerned: a guest whose name no pool could
     * record (a space, a long path) is refused by a pool only, never by an attach without one.
     */
    public Claim claim(AddressSpec address, Supplier<Holder> holderOf, boolean dryRun) {
        if (!(address instanceof AddressSpec.FromPool) && (address.statics().isEmpty() || !Files.exists(poolsPath))) {
            return new Claim(address, List.of(), Optional.empty());
        }
        Holder holder = holderOf.get();
        PoolsFile pools = pools();
        Store store = store(pools);
        Allocator allocator = allocator(pools);
        List<Taken> taken = new ArrayList<>();
        try {
            if (address instanceof AddressSpec.FromPool from) {
                Pool pool = pools.pool(from.pool()).orElseThrow(() -> new PipeworkException("pool \"" + from.pool()
                        + "\" is not declared in " + poolsPath + " (pipework pool ls)"));
                if (from.route() && pool.gateway().isEmpty()) {
                    throw new InvalidValueException("\"" + from.describe() + "\": pool \"" + pool.name()
                            + "\" has no gateway");
                }
                Taken t = change(store, pool, dryRun, state -> allocator.allocate(pool, state, holder));
                taken.add(t);
                return new Claim(new AddressSpec.Static(pool.cidr(t.lease().address()),
                        from.route() ? pool.gateway() : Optional.empty()), taken, Optional.of(store));
            }
            for (AddressSpec.Static s : address.statics()) {
                IpAddress a = new IpAddress(s.address().family(), s.address().bytes());
                for (Pool pool : pools.pools().values()) {
                    if (pool.holds(a)) {
                        taken.add(change(store, pool, dryRun, state -> allocator.reserve(pool, state, holder, a)));
                    }
                }
            }
            return new Claim(address, taken, Optional.of(store));
        } catch (RuntimeException e) {
            if (!dryRun) {
                undo(new Claim(address, taken, Optional.of(store)));
            }
            throw e;
        }
    }

    /** The run plumbed what it claimed: its claims are held from now on. */
    public void confirm(Claim claim) {
        settle(claim, true);
    }

    /** The run failed: what it claimed is as it was before. */
    public void undo(Claim claim) {
        settle(claim, false);
    }

    private void settle(Claim claim, boolean done) {
        if (claim.taken().stream().noneMatch(Taken::fresh)) {
            return;
        }
        Store store = claim.store().orElseGet(() -> store(pools()));
        long now = System.currentTimeMillis();
        for (Taken t : claim.taken()) {
            if (!t.fresh()) {
                continue;
            }
            change(store, t.pool(), false, !done, state -> {
                Lease there = state.leases().get(Pool.number(t.lease().address()));
                PoolState next = state;
                if (there != null && there.holder().equals(t.lease().holder()) && there.state() == Lease.State.CLAIMED) {
                    next = done ? state.put(there.with(Lease.State.HELD, now))
                            : t.previous().map(state::put).orElseGet(() -> state.remove(there.address()));
                }
                return new Allocator.Given(next, t.lease(), Optional.empty(), false);
            });
        }
    }

    /**
     * Gives back what this holder holds in every pool: its interface's addresses, or with
     * {@code everyInterface} those of every interface of its guest. They cool down before another
     * holder gets them.
     *
     * @return the addresses given back
     */
    public List<PoolAddress> release(Holder holder, boolean everyInterface) {
        return release(() -> holder, everyInterface);
    }

    /** The same, the holder made only when there are pools. */
    public List<PoolAddress> release(Supplier<Holder> holderOf, boolean everyInterface) {
        if (!Files.exists(poolsPath)) {
            return List.of();
        }
        Holder holder = holderOf.get();
        PoolsFile pools = pools();
        Store store = store(pools);
        Allocator allocator = allocator(pools);
        List<PoolAddress> released = new ArrayList<>();
        for (Pool pool : pools.pools().values()) {
            if (!store.has(pool.name())) {
                continue;
            }
            List<PoolAddress> here = new ArrayList<>();
            change(store, pool, false, state -> {
                here.clear();
                PoolState next = allocator.release(state, holder, everyInterface);
                for (Lease l : state.list()) {
                    Lease after = next.leases().get(Pool.number(l.address()));
                    if (after != null && after.state() != l.state()) {
                        here.add(new Taken(pool, after, Optional.empty(), false).shown());
                    }
                }
                return new Allocator.Given(next, null, Optional.empty(), false);
            });
            released.addAll(here);
        }
        return released;
    }

    /** Gives back, in one pool, what every holder that {@code gone} names holds (CNI GC). */
    public List<PoolAddress> releaseWhere(String poolName, java.util.function.Predicate<Holder> gone) {
        PoolsFile pools = pools();
        Optional<Pool> pool = pools.pool(poolName);
        Store store = store(pools);
        List<PoolAddress> released = new ArrayList<>();
        if (pool.isEmpty() || !store.has(poolName)) {
            return released;
        }
        Allocator allocator = allocator(pools);
        change(store, pool.get(), false, state -> {
            released.clear();
            // Claims left by runs that are gone are cooling down after the tidy; a claim still
            // CLAIMED is a live run's, plumbing now: that run gives it back itself if it fails.
            PoolState next = allocator.tidy(state);
            for (Lease l : next.list()) {
                if (l.state() == Lease.State.HELD && gone.test(l.holder())) {
                    next = allocator.release(next, l.holder(), false);
                    released.add(new Taken(pool.get(), l, Optional.empty(), false).shown());
                }
            }
            return new Allocator.Given(next, null, Optional.empty(), false);
        });
        return released;
    }

    /** Gives back one address of a pool when {@code whose} names its holder (Docker's ReleaseAddress). */
    public Optional<PoolAddress> releaseAt(String poolName, IpAddress address, java.util.function.Predicate<Holder> whose) {
        PoolsFile pools = pools();
        Optional<Pool> pool = pools.pool(poolName);
        Store store = store(pools);
        if (pool.isEmpty() || !pool.get().holds(address) || !store.has(poolName)) {
            return Optional.empty();
        }
        Allocator allocator = allocator(pools);
        List<PoolAddress> released = new ArrayList<>();
        change(store, pool.get(), false, state -> {
            released.clear();
            Lease l = state.leases().get(Pool.number(address));
            PoolState next = state;
            if (l != null && l.state() != Lease.State.COOLING && whose.test(l.holder())) {
                next = allocator.release(state, l.holder(), false);
                released.add(new Taken(pool.get(), l, Optional.empty(), false).shown());
            }
            return new Allocator.Given(next, null, Optional.empty(), false);
        });
        return released.stream().findFirst();
    }

    /** Declares a pool in the pools file: a new name, a subnet no other pool overlaps. */
    public void add(Pool pool) {
        FileStore.Held lock = FileStore.lock(poolsLock());
        try {
            PoolsFile pools = pools();
            if (pools.pool(pool.name()).isPresent()) {
                throw new PipeworkException("pool \"" + pool.name() + "\" exists already (pipework pool rm "
                        + pool.name() + ")");
            }
            for (Pool other : pools.pools().values()) {
                if (other.holds(new IpAddress(pool.subnet().family(), pool.subnet().bytes()))
                        || pool.holds(new IpAddress(other.subnet().family(), other.subnet().bytes()))) {
                    throw new PipeworkException("subnet " + pool.subnet() + " overlaps " + other.subnet()
                            + " of pool \"" + other.name() + "\"");
                }
            }
            FileStore.write(poolsPath, pools.with(pool).text());
        } finally {
            lock.close();
        }
    }

    /**
     * Removes a pool from the pools file, and its store; refused while it holds addresses, unless
     * {@code force}.
     */
    public void remove(String name, boolean force) {
        FileStore.Held lock = FileStore.lock(poolsLock());
        try {
            PoolsFile pools = pools();
            Pool pool = pools.pool(name).orElseThrow(() -> new PipeworkException("pool \"" + name
                    + "\" is not declared in " + poolsPath));
            Store store = store(pools);
            store.remove(pool, state -> {
                long held = allocator(pools).tidy(state).list().stream()
                        .filter(l -> l.state() != Lease.State.COOLING).count();
                if (held > 0 && !force) {
                    throw new PipeworkException("pool \"" + name + "\" holds " + held + " address"
                            + (held == 1 ? "" : "es") + " (pipework status; pipework del), or pool rm --force " + name);
                }
            }, () -> FileStore.write(poolsPath, pools.without(name).text()));
        } finally {
            lock.close();
        }
    }

    private Path poolsLock() {
        return poolsPath.toAbsolutePath().resolveSibling("." + poolsPath.getFileName() + ".lock");
    }

    /** Every pool and its use. */
    public List<PoolUse> use() {
        PoolsFile pools = pools();
        Store store = pools.pools().isEmpty() ? null : store(pools);
        Allocator allocator = allocator(pools);
        List<PoolUse> use = new ArrayList<>();
        for (Pool pool : pools.pools().values()) {
            PoolState state = allocator.tidy(store.read(pool));
            long cooling = state.list().stream().filter(l -> l.state() == Lease.State.COOLING).count();
            use.add(new PoolUse(pool, pool.capacity(), state.leases().size() - cooling, cooling));
        }
        return use;
    }

    /** Every address the pools keep, for {@code status}. */
    public List<PoolAddress> addresses() {
        if (!Files.exists(poolsPath)) {
            return List.of();
        }
        PoolsFile pools = pools();
        Store store = store(pools);
        List<PoolAddress> all = new ArrayList<>();
        for (Pool pool : pools.pools().values()) {
            for (Lease l : store.read(pool).list()) {
                all.add(new Taken(pool, l, Optional.empty(), false).shown());
            }
        }
        return all;
    }

    /** Runs one change of a pool's state in its store; a dry run reads and decides only. */
    private static Taken change(Store store, Pool pool, boolean dryRun,
                                java.util.function.Function<PoolState, Allocator.Given> decide) {
        return change(store, pool, dryRun, true, decide);
    }

    /** @param flush whether the write is flushed to the disk before the rename (all but a confirmation) */
    private static Taken change(Store store, Pool pool, boolean dryRun, boolean flush,
                                java.util.function.Function<PoolState, Allocator.Given> decide) {
        Allocator.Given g = dryRun ? decide.apply(store.read(pool)) : store.change(pool, flush, decide);
        return new Taken(pool, g.lease(), g.previous(), g.fresh());
    }

    /** This host's name in an etcd store's claims: its machine ID ({@code /etc/machine-id}). */
    private static String machineId() {
        try {
            String id = Files.readString(Path.of("/etc/machine-id"), StandardCharsets.US_ASCII).strip();
            if (id.matches("[0-9a-f]{32}")) {
                return id;
            }
            throw new PipeworkException("/etc/machine-id is not valid (expected 32 hex digits): name this host"
                    + " with PIPEWORK_HOST");
        } catch (IOException e) {
            throw new PipeworkException("cannot read /etc/machine-id (" + e.getMessage()
                    + "): name this host with PIPEWORK_HOST");
        }
    }

    private static Allocator allocator(PoolsFile pools) {
        ProcessHandle self = ProcessHandle.current();
        return new Allocator(System.currentTimeMillis(), pools.cooldown() * 1000,
                l -> l.holder().host().isPresent() || claimerAlive(l), self.pid(),
                startOf(self));
    }

    /** Whether the process that claimed runs still: the same PID, started at the same time (not a PID reused). */
    static boolean claimerAlive(Lease lease) {
        Optional<ProcessHandle> p = ProcessHandle.of(lease.pid());
        // The JDK makes a start instant of the kernel's start tick and the boot time of /proc/stat,
        // which is whole seconds and can move by one between two readers: two JVMs may disagree by
        // a second about one process. A PID reused within that second is not a risk worth a claim.
        return p.isPresent() && p.get().isAlive() && Math.abs(startOf(p.get()) - lease.start()) <= 1500;
    }

    private static long startOf(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }
}
