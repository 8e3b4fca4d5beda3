package dev.pipework.driver;

import dev.pipework.ipam.Holder;
import dev.pipework.ipam.Ipam;
import dev.pipework.json.Json;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.Family;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Pool;
import dev.pipework.model.PoolAddress;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The IPAM driver's networks whose addresses come from a pipework pool ({@code --ipam-opt
 * pool=<name>}, {@code pool6=<name>} for the IPv6 side): the network's subnet is the pool's, each
 * address is claimed in the pools' store (file or etcd) as the command line and the CNI plugin
 * claim theirs, so no address of a pool is given twice among them. The holder is {@code
 * docker-ipam <PoolID> <token>}: the engine asks for an address before it names the endpoint or
 * its container. ReleaseAddress and ReleasePool (network rm) give the addresses back.
 */
final class DriverPools {
    /** The record's member naming the pipework pool. */
    static final String KEY = "pipeworkPool";
    private static final String GATEWAY = "com.docker.network.gateway";

    private final DriverState state;
    /** Asked for at the first pool's call (the unit tests' API has no services). */
    private final java.util.function.Supplier<Ipam> ipam;
    private final Consumer<String> log;
    private final SecureRandom random = new SecureRandom();

    DriverPools(DriverState state, java.util.function.Supplier<Ipam> ipam, Consumer<String> log) {
        this.state = state;
        this.ipam = ipam;
        this.log = log;
    }

    /** The pipework pool a RequestPool names in its options, for its family. */
    static Optional<String> named(Map<String, Object> req) {
        Map<String, Object> options = req.get("Options") instanceof Map<?, ?> o ? Json.object(o) : Map.of();
        Object name = options.get(Boolean.TRUE.equals(req.get("V6")) ? "pool6" : "pool");
        return name instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    }

    Map<String, Object> requestPool(String name, String subnet, String subPool, boolean v6) {
        Pool pool = pool(name);
        boolean six = pool.subnet().family() == Family.INET6;
        if (six != v6) {
            throw new PipeworkException("pool \"" + name + "\" is " + (six ? "IPv6" : "IPv4") + ": name it with --ipam-opt "
                    + (six ? "pool6=" : "pool=") + name);
        }
        if (!subnet.isEmpty() && !IpamDriver.network(IpCidr.parse(subnet)).equals(pool.subnet())) {
            throw new PipeworkException("--subnet " + subnet + " is not the subnet of pool \"" + name + "\" ("
                    + pool.subnet() + "): leave --subnet out");
        }
        if (!subPool.isEmpty()) {
            throw new PipeworkException("--ip-range " + subPool + " is not supported with a pool: the pool's ranges"
                    + " give the addresses (pipework pool ls)");
        }
        int n = 1;
        while (state.read(DriverState.Kind.POOL, poolId(name, n)).isPresent()) {
            n++;
        }
        String id = poolId(name, n);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("pool", pool.subnet().toString());
        record.put(KEY, name);
        state.write(DriverState.Kind.POOL, id, record);
        log.accept("pool " + pool.subnet() + " of pipework pool \"" + name + "\" as " + id);
        return Map.of("PoolID", id, "Pool", pool.subnet().toString(), "Data", Map.of());
    }

    Map<String, Object> requestAddress(String id, String name, String wanted, Map<String, Object> options) {
        Pool pool = pool(name);
        boolean gateway = GATEWAY.equals(options.get("RequestAddressType"));
        Optional<IpAddress> asked = wanted.isEmpty() ? Optional.empty()
                : Optional.of(IpAddress.parse(wanted.contains("/") ? wanted.substring(0, wanted.indexOf('/')) : wanted));
        if (gateway && pool.gateway().isPresent()) {
            // The pool's gateway is the network's: the pool never gives it, so it is not claimed.
            if (asked.isPresent() && !asked.get().equals(pool.gateway().get())) {
                throw new PipeworkException("--gateway " + wanted + " is not the gateway of pool \"" + name + "\" ("
                        + pool.gateway().get() + "): leave --gateway out");
            }
            return answer(pool.cidr(pool.gateway().get()));
        }
        if (asked.isPresent() && !pool.holds(asked.get())) {
            throw new PipeworkException("address " + wanted + " is not in subnet " + pool.subnet() + " of pool \""
                    + name + "\"");
        }
        Holder holder = new Holder(PoolAddress.DOCKER_IPAM, id, gateway ? "gateway"
                : "ep-" + HexFormat.of().formatHex(bytes()));
        AddressSpec spec = asked.<AddressSpec>map(a -> new AddressSpec.Static(pool.cidr(a), Optional.empty()))
                .orElseGet(() -> new AddressSpec.FromPool(name, false));
        Ipam.Claim claim = ipam.get().claim(spec, holder, false);
        // The engine has the address once this answers: held from now on (a driver killed before
        // leaves a claim its next change of the pool turns into cooling).
        ipam.get().confirm(claim);
        IpCidr given = ((AddressSpec.Static) claim.address()).address();
        log.accept("pool \"" + name + "\": " + given + " to " + holder.describe());
        return answer(given);
    }

    void releaseAddress(String id, String name, String address) {
        if (address.isEmpty()) {
            return;
        }
        IpAddress a = IpAddress.parse(address.contains("/") ? address.substring(0, address.indexOf('/')) : address);
        ipam.get().releaseAt(name, a, ours(id)).ifPresent(p -> log.accept("pool \"" + name + "\": " + p.address()
                + " given back"));
    }

    /** Network rm: whatever the network's pool still holds (its gateway, an address not released) given back. */
    void releasePool(String id) {
        Optional<Map<String, Object>> record = state.read(DriverState.Kind.POOL, id);
        if (record.isPresent() && record.get().get(KEY) instanceof String name) {
            for (PoolAddress p : ipam.get().releaseWhere(name, ours(id))) {
                log.accept("pool \"" + name + "\": " + p.address() + " given back");
            }
        }
    }

    private static Predicate<Holder> ours(String id) {
        return h -> PoolAddress.DOCKER_IPAM.equals(h.runtime()) && id.equals(h.id());
    }

    private byte[] bytes() {
        byte[] b = new byte[4];
        random.nextBytes(b);
        return b;
    }

    private Pool pool(String name) {
        return ipam.get().pools().pool(name).orElseThrow(() -> new PipeworkException("pool \"" + name
                + "\" is not declared in " + ipam.get().poolsPath() + " (pipework pool ls)"));
    }

    private static Map<String, Object> answer(IpCidr address) {
        return Map.of("Address", address.toString(), "Data", Map.of());
    }

    static String poolId(String name, int n) {
        return "pwpool-" + name + "-" + n;
    }
}
