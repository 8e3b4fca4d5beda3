package dev.pipework.ipam;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.Pool;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The addresses of one pool that are claimed, held or cooling down, as its store file keeps them
 * (JSON: {@code {"pool", "subnet", "leases": [{"address", "runtime", "id", "interface", "state",
 * "pid", "start", "since"}]}}). What is read is checked as untrusted input: every address in the
 * subnet, at most once, every holder valid.
 */
public record PoolState(String pool, IpCidr subnet, Map<BigInteger, Lease> leases) {

    public PoolState {
        leases = new TreeMap<>(leases);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolState p && pool.equals(p.pool) && subnet.equals(p.subnet) && leases.equals(p.leases);
    }

    @Override
    public int hashCode() {
        return (pool.hashCode() * 31 + subnet.hashCode()) * 31 + leases.hashCode();
    }

    public static PoolState empty(Pool pool) {
        return new PoolState(pool.name(), pool.subnet(), Map.of());
    }

    public List<Lease> list() {
        return List.copyOf(leases.values());
    }

    public PoolState put(Lease lease) {
        Map<BigInteger, Lease> next = new TreeMap<>(leases);
        next.put(Pool.number(lease.address()), lease);
        return new PoolState(pool, subnet, next);
    }

    public PoolState remove(IpAddress address) {
        Map<BigInteger, Lease> next = new TreeMap<>(leases);
        next.remove(Pool.number(address));
        return new PoolState(pool, subnet, next);
    }

    public String toJson() {
        List<Object> list = new ArrayList<>();
        for (Lease l : leases.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", l.address().toString());
            m.put("runtime", l.holder().runtime());
            m.put("id", l.holder().id());
            m.put("interface", l.holder().iface());
            m.put("state", l.state().name().toLowerCase(Locale.ROOT));
            m.put("pid", l.pid());
            m.put("start", l.start());
            m.put("since", l.since());
            list.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("pool", pool);
        root.put("subnet", subnet.toString());
        root.put("leases", list);
        return Json.writePretty(root) + "\n";
    }

    /**
     * Reads a store file's text for this pool.
     *
     * @throws InvalidValueException naming what is wrong
     */
    public static PoolState parse(String text, Pool pool) {
        try {
            Map<String, Object> root = Json.object(Json.parse(text));
            String name = Json.string(root, "pool");
            if (!pool.name().equals(name)) {
                throw new InvalidValueException("it is the store of pool \"" + name + "\"");
            }
            IpCidr subnet = IpCidr.parse(String.valueOf(Json.string(root, "subnet")));
            if (!subnet.equals(pool.subnet())) {
                throw new InvalidValueException("its subnet is " + subnet + ", the pool's " + pool.subnet());
            }
            Map<BigInteger, Lease> leases = new TreeMap<>();
            for (Object item : Json.array(root.get("leases"))) {
                Lease lease = lease(Json.object(item));
                if (!pool.holds(lease.address())) {
                    throw new InvalidValueException("address " + lease.address() + " is not in " + pool.subnet());
                }
                if (leases.put(Pool.number(lease.address()), lease) != null) {
                    throw new InvalidValueException("address " + lease.address() + " is there twice");
                }
            }
            return new PoolState(name, subnet, leases);
        } catch (JsonException e) {
            throw new InvalidValueException(e.getMessage());
        }
    }

    private static Lease lease(Map<String, Object> m) {
        String address = Json.string(m, "address");
        if (address == null || address.indexOf('/') >= 0) {
            throw new InvalidValueException("a lease has no valid \"address\"");
        }
        Holder holder = new Holder(String.valueOf(Json.string(m, "runtime")), String.valueOf(Json.string(m, "id")),
                String.valueOf(Json.string(m, "interface")));
        Lease.State state;
        try {
            state = Lease.State.valueOf(String.valueOf(Json.string(m, "state")).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("lease of " + address + " has an unknown state \""
                    + Json.string(m, "state") + "\"");
        }
        long pid = Json.number(m, "pid");
        long start = Json.number(m, "start");
        long since = Json.number(m, "since");
        if (pid < 0 || pid > Integer.MAX_VALUE || start < 0 || since < 0) {
            throw new InvalidValueException("lease of " + address + " has a negative or too large number");
        }
        return new Lease(IpAddress.parse(address), holder, state, pid, start, since);
    }
}
