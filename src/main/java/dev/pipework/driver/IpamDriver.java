package dev.pipework.driver;

import dev.pipework.ipam.Ipam;
import dev.pipework.json.Json;
import dev.pipework.model.Family;
import dev.pipework.model.IpCidr;
import dev.pipework.model.PipeworkException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The IPAM driver's calls ({@code --ipam-driver}): pools are the networks' {@code --subnet}s, an
 * address is the one {@code --ip} or {@code --gateway} asks for or the lowest free one, and what
 * is given out is kept in the driver's records, so a restarted driver gives no address twice.
 * A network created with {@code --ipam-opt pool=<name>} ({@code pool6=} for its IPv6 side) takes
 * its addresses from that pipework pool instead, claimed in the pools' store as the command line
 * and the CNI plugin claim theirs ({@link DriverPools}).
 */
final class IpamDriver {
    private static final String LOCAL = "pipework-local";
    private static final String GLOBAL = "pipework-global";
    /** How far into a large (IPv6) pool a free address is looked for. */
    private static final int SEARCH = 1 << 16;

    private final DriverState state;
    private final Consumer<String> log;
    private final DriverPools pools;

    IpamDriver(DriverState state, java.util.function.Supplier<Ipam> ipam, Consumer<String> log) {
        this.state = state;
        this.log = log;
        this.pools = new DriverPools(state, ipam, log);
    }

    static Map<String, Object> capabilities() {
        return Map.of("RequiresMACAddress", false);
    }

    static Map<String, Object> addressSpaces() {
        return Map.of("LocalDefaultAddressSpace", LOCAL, "GlobalDefaultAddressSpace", GLOBAL);
    }

    Map<String, Object> requestPool(Map<String, Object> req) {
        String pool = Optional.ofNullable(Json.string(req, "Pool")).orElse("");
        Optional<String> named = DriverPools.named(req);
        if (named.isPresent()) {
            return pools.requestPool(named.get(), pool, Optional.ofNullable(Json.string(req, "SubPool")).orElse(""),
                    Boolean.TRUE.equals(req.get("V6")));
        }
        if (pool.isEmpty()) {
            throw new PipeworkException("pipework's IPAM driver gives addresses from the network's subnet: give"
                    + " docker network create a --subnet" + (Boolean.TRUE.equals(req.get("V6")) ? " for IPv6" : "")
                    + " (a network with -o dhcp=true takes --ipam-driver null: its addresses come from the LAN's DHCP server)");
        }
        String sub = Optional.ofNullable(Json.string(req, "SubPool")).orElse("");
        if (!sub.isEmpty() && !sub.equals(pool)) {
            throw new PipeworkException("--ip-range " + sub + " is not supported by pipework's IPAM driver");
        }
        IpCidr cidr = network(IpCidr.parse(pool));
        // One subnet may serve several networks (the same addresses on two VLANs): each has a pool of its own.
        int n = 1;
        while (state.read(DriverState.Kind.POOL, poolId(cidr, n)).isPresent()) {
            n++;
        }
        String id = poolId(cidr, n);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("pool", cidr.toString());
        record.put("allocated", new ArrayList<>());
        state.write(DriverState.Kind.POOL, id, record);
        log.accept("pool " + cidr);
        return Map.of("PoolID", id, "Pool", cidr.toString(), "Data", Map.of());
    }

    Map<String, Object> releasePool(Map<String, Object> req) {
        String id = Optional.ofNullable(Json.string(req, "PoolID")).orElse("");
        if (!id.isEmpty()) {
            pools.releasePool(id);
            state.delete(DriverState.Kind.POOL, id);
            log.accept("pool " + id + " released");
        }
        return Map.of();
    }

    Map<String, Object> requestAddress(Map<String, Object> req) {
        String id = Optional.ofNullable(Json.string(req, "PoolID")).orElse("");
        Map<String, Object> record = pool(id);
        if (record.get(DriverPools.KEY) instanceof String name) {
            return pools.requestAddress(id, name, Optional.ofNullable(Json.string(req, "Address")).orElse(""),
                    req.get("Options") instanceof Map<?, ?> o ? Json.object(o) : Map.of());
        }
        IpCidr cidr = IpCidr.parse((String) record.get("pool"));
        List<Object> allocated = new ArrayList<>(Json.array(record.get("allocated")));
        String wanted = Optional.ofNullable(Json.string(req, "Address")).orElse("");
        String address;
        if (!wanted.isEmpty()) {
            byte[] bytes = IpCidr.parseAddress("address", wanted, wanted);
            if (!cidr.contains(bytes)) {
                throw new PipeworkException("address " + wanted + " is not in subnet " + cidr);
            }
            address = IpCidr.format(bytes);
            if (allocated.contains(address)) {
                throw new PipeworkException("address " + address + " is in use already in subnet " + cidr);
            }
        } else {
            address = free(cidr, allocated);
        }
        allocated.add(address);
        record.put("allocated", allocated);
        state.write(DriverState.Kind.POOL, id, record);
        return Map.of("Address", address + "/" + cidr.prefix(), "Data", Map.of());
    }

    Map<String, Object> releaseAddress(Map<String, Object> req) {
        String id = Optional.ofNullable(Json.string(req, "PoolID")).orElse("");
        Optional<Map<String, Object>> record = state.read(DriverState.Kind.POOL, id);
        if (record.isPresent() && record.get().get(DriverPools.KEY) instanceof String name) {
            pools.releaseAddress(id, name, Optional.ofNullable(Json.string(req, "Address")).orElse(""));
        } else if (record.isPresent()) {
            String address = Optional.ofNullable(Json.string(req, "Address")).orElse("");
            List<Object> allocated = new ArrayList<>(Json.array(record.get().get("allocated")));
            if (!address.isEmpty() && allocated.remove(IpCidr.format(IpCidr.parseAddress("address", address, address)))) {
                record.get().put("allocated", allocated);
                state.write(DriverState.Kind.POOL, id, record.get());
            }
        }
        return Map.of();
    }

    private Map<String, Object> pool(String id) {
        return state.read(DriverState.Kind.POOL, id).orElseThrow(
                () -> new PipeworkException("pool \"" + id + "\" is not one of pipework's IPAM driver"));
    }

    /** The lowest address of the subnet that is neither its network nor (IPv4) broadcast address, nor given out. */
    static String free(IpCidr cidr, List<Object> allocated) {
        int bits = cidr.family().bits();
        BigInteger base = new BigInteger(1, cidr.bytes());
        BigInteger size = BigInteger.ONE.shiftLeft(bits - cidr.prefix());
        BigInteger last = size.subtract(BigInteger.valueOf(cidr.family() == Family.INET && size.bitLength() > 2 ? 1 : 0));
        for (BigInteger i = BigInteger.ONE; i.compareTo(last) < 0 && i.intValue() < SEARCH; i = i.add(BigInteger.ONE)) {
            String candidate = IpCidr.format(bytes(base.add(i), bits / 8));
            if (!allocated.contains(candidate)) {
                return candidate;
            }
        }
        throw new PipeworkException("subnet " + cidr + " has no free address left");
    }

    static IpCidr network(IpCidr cidr) {
        BigInteger mask = BigInteger.ONE.shiftLeft(cidr.family().bits()).subtract(BigInteger.ONE)
                .shiftRight(cidr.prefix()).not();
        BigInteger net = new BigInteger(1, cidr.bytes()).and(mask);
        return new IpCidr(cidr.family(), bytes(net, cidr.family().bits() / 8), cidr.prefix());
    }

    private static byte[] bytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    static String poolId(IpCidr cidr, int n) {
        return "pw-" + cidr.address() + "-" + cidr.prefix() + "-" + n;
    }
}
