package dev.pipework.ipam;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Pool;

import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The etcd v3 store: one key an address, {@code pipework/ipam/<pool>/<address>}, its value naming
 * the host, runtime, container and interface that hold it (JSON). A change is a transaction on
 * the keys it touches only: a new claim is created if the key does not exist (create_revision 0),
 * a changed or removed one only if nobody changed it since it was read (mod_revision); when the
 * transaction fails, the pool is read again and the change decided afresh. No lock, no leader.
 * Another host's addresses are shown as {@code <runtime>@<host>}: never this host's, never taken
 * from it, its claims never judged dead here.
 */
public final class EtcdStore implements Store {
    static final String ROOT = "pipework/ipam/";
    private static final Duration BOUND = Duration.ofSeconds(2);
    private static final int ATTEMPTS = 200;
    /** How far a boot's clock may be stepped after it wrote (see the clone check). */
    private static final long CLOCK_STEP_MS = 10 * 60 * 1000;

    /** How long the pool as this store's last transaction left it may stand in for a read of it. */
    private static final long WRITTEN_FOR_NS = 5_000_000_000L;

    private final EtcdGateway gateway;
    /**
     * Each pool as the last transaction of this process left it, by store, host and pool (a run opens
     * the store again to confirm what it claimed); taken by the next change only (see change).
     */
    private static final Map<String, Written> WRITTEN = new java.util.concurrent.ConcurrentHashMap<>();
    private final String shown;
    private final String host;
    /** This boot of this machine ({@code /proc/sys/kernel/random/boot_id}), and when it began (ms since the epoch). */
    private final String boot;
    private final long bootedAt;

    EtcdStore(EtcdGateway gateway, String shown, String host, String boot, long bootedAt) {
        this.gateway = gateway;
        this.shown = shown;
        this.host = host;
        this.boot = boot;
        this.bootedAt = bootedAt;
    }

    /**
     * The store {@code etcd://host:port[,host:port...]} names, as this host.
     *
     * @param tls {@code etcd-cacert}, {@code etcd-cert}, {@code etcd-key}: files (PEM); any of them makes it https
     */
    public static EtcdStore open(String url, Map<String, String> tls, String host) {
        checkHost(host);
        EtcdGateway gateway = gateway(url, tls, BOUND);
        return new EtcdStore(gateway, gateway.shown(), host, bootId(), bootedAt());
    }

    static void checkHost(String host) {
        if (!host.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new PipeworkException("host name \"" + host + "\" is not valid for the etcd store: 1 to 64 letters,"
                    + " digits, '.', '_' or '-' (PIPEWORK_HOST)");
        }
    }

    /** The gateway to the members {@code etcd://host:port[,host:port...]} names. */
    static EtcdGateway gateway(String url, Map<String, String> tls, Duration bound) {
        String rest = url.substring("etcd://".length());
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        List<URI> endpoints = new ArrayList<>();
        String scheme = tls.isEmpty() ? "http://" : "https://";
        for (String e : rest.split(",", -1)) {
            if (!e.matches("([A-Za-z0-9][A-Za-z0-9.-]*|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}")
                    || Integer.parseInt(e.substring(e.lastIndexOf(':') + 1)) > 65535) {
                throw new PipeworkException("store \"etcd://...\" is not valid: expected etcd://<host>:<port>[,<host>:<port>...]");
            }
            endpoints.add(URI.create(scheme + e));
        }
        return new EtcdGateway(endpoints, "etcd://" + rest, bound, EtcdTls.context(tls));
    }

    static String bootId() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The kernel's boot time ({@code btime} of /proc/stat, whole seconds), in ms since the epoch; 0 when unknown. */
    private static long bootedAt() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/stat"))) {
            return lines.filter(l -> l.startsWith("btime ")).findFirst()
                    .map(l -> Long.parseLong(l.substring(6).strip()) * 1000).orElse(0L);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The pool's keys, read at one revision. */
    private record Snapshot(PoolState state, Map<BigInteger, EtcdGateway.Kv> kvs, long revision) {
    }

    /** A pool as a transaction left it, and when (System.nanoTime). */
    private record Written(Snapshot snapshot, long at) {
    }

    private String writtenKey(Pool pool) {
        return shown + "\n" + host + "\n" + pool.name();
    }

    @Override
    public PoolState read(Pool pool) {
        return snapshot(pool).state();
    }

    @Override
    public boolean has(String pool) {
        return true;
    }

    @Override
    public Allocator.Given change(Pool pool, boolean flush, Function<PoolState, Allocator.Given> decide) {
        for (int attempt = 1; ; attempt++) {
            // A claim's confirmation follows it within the run: the pool as the claim's transaction left
            // it stands in for a read. Safe because every key a change writes is compared at the
            // revision it was known at (a key changed meanwhile fails the transaction, and the pool is
            // read), and a decision to change nothing is made again on the pool read afresh.
            Written w = WRITTEN.remove(writtenKey(pool));
            boolean known = w != null && System.nanoTime() - w.at() < WRITTEN_FOR_NS;
            Snapshot s = known ? w.snapshot() : snapshot(pool);
            Allocator.Given g = decide.apply(s.state());
            if (g.state().equals(s.state())) {
                if (known) {
                    continue;
                }
                return g;
            }
            List<EtcdGateway.Compare> compare = new ArrayList<>();
            List<EtcdGateway.Op> ops = new ArrayList<>();
            Map<BigInteger, String> values = new HashMap<>();
            TreeSet<BigInteger> keys = new TreeSet<>(s.state().leases().keySet());
            keys.addAll(g.state().leases().keySet());
            for (BigInteger n : keys) {
                Lease before = s.state().leases().get(n);
                Lease after = g.state().leases().get(n);
                if (after != null && after.equals(before)) {
                    continue;
                }
                String key = key(pool, (after != null ? after : before).address());
                compare.add(before == null ? new EtcdGateway.Absent(key)
                        : new EtcdGateway.Unchanged(key, s.kvs().get(n).modRevision()));
                if (after == null) {
                    ops.add(new EtcdGateway.Delete(key));
                } else if (after.holder().host().isPresent()) {
                    throw new PipeworkException("pool \"" + pool.name() + "\": address " + after.address()
                            + " is held on host " + after.holder().host().get() + ", which alone may change it");
                } else {
                    values.put(n, value(after));
                    ops.add(new EtcdGateway.Put(key, values.get(n)));
                }
            }
            long revision = gateway.committed(compare, ops);
            if (revision > 0) {
                WRITTEN.put(writtenKey(pool), new Written(afterwards(pool, s, g.state(), values, revision), System.nanoTime()));
                return g;
            }
            if (known) {
                continue;
            }
            if (attempt == ATTEMPTS) {
                throw new PipeworkException("etcd store " + shown + ": pool \"" + pool.name() + "\" changed under each of "
                        + ATTEMPTS + " attempts to change it; try again");
            }
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(1 + Math.min(attempt, 20)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PipeworkException("etcd store " + shown + ": interrupted");
            }
        }
    }

    /**
     * The pool's keys deleted in one transaction that holds only if none of them was created or
     * changed since they were read and checked: a claim made meanwhile (on any host) fails the
     * transaction, and the pool is read and checked again.
     */
    @Override
    public void remove(Pool pool, Consumer<PoolState> check, Runnable then) {
        String prefix = ROOT + pool.name() + "/";
        WRITTEN.remove(writtenKey(pool));
        for (int attempt = 1; ; attempt++) {
            Snapshot s = snapshot(pool);
            check.accept(s.state());
            if (gateway.txn(List.of(new EtcdGateway.PrefixUnchanged(prefix, s.revision())),
                    List.of(new EtcdGateway.DeletePrefix(prefix)))) {
                then.run();
                return;
            }
            if (attempt == ATTEMPTS) {
                throw new PipeworkException("etcd store " + shown + ": pool \"" + pool.name() + "\" changed under each of "
                        + ATTEMPTS + " attempts to remove it; try again");
            }
        }
    }

    /** The pool after a transaction at {@code revision} that wrote {@code values} and deleted what {@code state} lacks. */
    private static Snapshot afterwards(Pool pool, Snapshot before, PoolState state, Map<BigInteger, String> values,
            long revision) {
        Map<BigInteger, EtcdGateway.Kv> kvs = new HashMap<>(before.kvs());
        kvs.keySet().retainAll(state.leases().keySet());
        values.forEach((n, value) -> {
            EtcdGateway.Kv old = before.kvs().get(n);
            kvs.put(n, new EtcdGateway.Kv(key(pool, state.leases().get(n).address()), value,
                    old == null ? revision : old.createRevision(), revision));
        });
        return new Snapshot(state, kvs, revision);
    }

    private Snapshot snapshot(Pool pool) {
        String prefix = ROOT + pool.name() + "/";
        Map<BigInteger, Lease> leases = new HashMap<>();
        Map<BigInteger, EtcdGateway.Kv> kvs = new HashMap<>();
        EtcdGateway.Range range = gateway.rangeAt(prefix);
        for (EtcdGateway.Kv kv : range.kvs()) {
            Lease lease;
            try {
                lease = lease(pool, kv.key().substring(prefix.length()), kv.value());
            } catch (InvalidValueException | JsonException e) {
                throw new PipeworkException("etcd store " + shown + ": key " + kv.key() + " of pool \"" + pool.name()
                        + "\" is not valid (" + e.getMessage() + "); it is kept as it is: repair or delete it"
                        + " (etcdctl del " + kv.key() + ")");
            }
            leases.put(Pool.number(lease.address()), lease);
            kvs.put(Pool.number(lease.address()), kv);
        }
        return new Snapshot(new PoolState(pool.name(), pool.subnet(), leases), kvs, range.revision());
    }

    static String key(Pool pool, IpAddress address) {
        return ROOT + pool.name() + "/" + address;
    }

    /** A key's value: who holds the address, as this host writes it. */
    String value(Lease l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("runtime", l.holder().runtime());
        m.put("container", l.holder().id());
        m.put("interface", l.holder().iface());
        m.put("state", l.state().name().toLowerCase(Locale.ROOT));
        m.put("pid", l.pid());
        m.put("start", l.start());
        m.put("since", l.since());
        m.put("boot", boot);
        return Json.write(m);
    }

    /** A key and its value read back, as untrusted input: the address the pool's, every word valid. */
    Lease lease(Pool pool, String addressText, String value) {
        IpAddress address;
        try {
            address = IpAddress.parse(addressText);
        } catch (RuntimeException e) {
            throw new InvalidValueException("\"" + addressText + "\" is not an address");
        }
        if (!address.toString().equals(addressText) || !pool.holds(address)) {
            throw new InvalidValueException("address " + addressText + " is not one of " + pool.subnet() + " as written here");
        }
        Map<String, Object> m = Json.object(Json.parse(value));
        String owner = Json.string(m, "host");
        if (owner == null || !owner.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new InvalidValueException("its \"host\" is not valid");
        }
        Holder holder = new Holder(String.valueOf(Json.string(m, "runtime")), String.valueOf(Json.string(m, "container")),
                String.valueOf(Json.string(m, "interface")));
        if (holder.runtime().indexOf('@') >= 0) {
            throw new InvalidValueException("its \"runtime\" is not valid");
        }
        Lease.State state;
        try {
            state = Lease.State.valueOf(String.valueOf(Json.string(m, "state")).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("its \"state\" is not valid");
        }
        long pid = Json.number(m, "pid");
        long start = Json.number(m, "start");
        long since = Json.number(m, "since");
        if (pid < 0 || pid > Integer.MAX_VALUE || start < 0 || since < 0) {
            throw new InvalidValueException("a number is negative or too large");
        }
        // A key of this host's name written during this boot by another boot: two machines run under one
        // name (a clone's /etc/machine-id), each taking the other's claims for its own dead runs'. The
        // boot time is the kernel's, moved when the clock is stepped (NTP after a boot without a
        // real-time clock): a key of the last boot is judged only once well clear of that.
        if (owner.equals(host) && m.get("boot") instanceof String other && !boot.isEmpty() && !other.equals(boot)
                && bootedAt > 0 && since > bootedAt + CLOCK_STEP_MS) {
            throw new PipeworkException("etcd store " + shown + ": address " + addressText + " of pool \"" + pool.name()
                    + "\" was written as host \"" + host + "\" by another machine (boot " + other + ") while this one ran"
                    + " (boot " + boot + "): two machines share this host name, as clones of one /etc/machine-id do;"
                    + " give each its own (PIPEWORK_HOST)");
        }
        return new Lease(address, owner.equals(host) ? holder : holder.onHost(owner), state, pid, start, since);
    }

    /** For the tests: a store on this gateway. */
    static Optional<EtcdStore> of(EtcdGateway gateway, String host) {
        return of(gateway, host, "boot-test", 1000);
    }

    static Optional<EtcdStore> of(EtcdGateway gateway, String host, String boot, long bootedAt) {
        return Optional.of(new EtcdStore(gateway, "etcd://test", host, boot, bootedAt));
    }
}
