package dev.pipework.ipam;

import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.model.Pool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pools file ({@code /etc/pipework/pools}): one setting or pool a line, {@code #} comments.
 *
 * <pre>
 * store = file:/var/lib/pipework/ipam
 * cooldown = 60
 * pool lan 192.168.1.0/24 gateway 192.168.1.1 range 192.168.1.100-192.168.1.199 exclude 192.168.1.150
 * </pre>
 *
 * @param pools    by name, in the file's order
 * @param store    where leases are kept; empty for the default
 * @param cooldown seconds an address given back waits before another holder gets it
 * @param tls      an etcd store's TLS files: {@code etcd-cacert}, {@code etcd-cert}, {@code etcd-key}
 */
public record PoolsFile(Map<String, Pool> pools, Optional<String> store, long cooldown, Map<String, String> tls) {

    public static final long DEFAULT_COOLDOWN = 60;
    private static final java.util.Set<String> TLS = java.util.Set.of("etcd-cacert", "etcd-cert", "etcd-key");

    public PoolsFile {
        pools = new LinkedHashMap<>(pools);
        tls = new java.util.TreeMap<>(tls);
    }

    public PoolsFile(Map<String, Pool> pools, Optional<String> store, long cooldown) {
        this(pools, store, cooldown, Map.of());
    }

    public static PoolsFile empty() {
        return new PoolsFile(Map.of(), Optional.empty(), DEFAULT_COOLDOWN);
    }

    /** Reads the file's text; a line that is not valid is an error naming its number. */
    public static PoolsFile parse(String text) {
        Map<String, Pool> pools = new LinkedHashMap<>();
        Optional<String> store = Optional.empty();
        long cooldown = DEFAULT_COOLDOWN;
        Map<String, String> tls = new java.util.TreeMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                int eq = line.indexOf('=');
                if (line.startsWith("pool ") || line.startsWith("pool\t")) {
                    Pool pool = pool(line.substring(5).strip().split("\\s+"));
                    if (pools.putIfAbsent(pool.name(), pool) != null) {
                        throw new InvalidValueException("pool \"" + pool.name() + "\" is declared twice");
                    }
                } else if (eq > 0 && line.substring(0, eq).strip().equals("store")) {
                    store = Optional.of(line.substring(eq + 1).strip());
                } else if (eq > 0 && TLS.contains(line.substring(0, eq).strip())) {
                    String value = line.substring(eq + 1).strip();
                    if (!value.startsWith("/")) {
                        throw new InvalidValueException(line.substring(0, eq).strip() + " \"" + value
                                + "\" is not valid: expected an absolute path");
                    }
                    tls.put(line.substring(0, eq).strip(), value);
                } else if (eq > 0 && line.substring(0, eq).strip().equals("cooldown")) {
                    String value = line.substring(eq + 1).strip();
                    if (!value.matches("[0-9]{1,7}")) {
                        throw new InvalidValueException("cooldown \"" + value + "\" is not valid: expected seconds, 0 to 9999999");
                    }
                    cooldown = Long.parseLong(value);
                } else {
                    throw new InvalidValueException("expected \"pool <name> <subnet> [gateway <address>] [range <first>-<last>]..."
                            + " [exclude <address>[-<last>]]...\", \"store = ...\", \"etcd-cacert|etcd-cert|etcd-key = <file>\" or \"cooldown = <seconds>\"");
                }
            } catch (InvalidValueException e) {
                throw new InvalidValueException("line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return new PoolsFile(pools, store, cooldown, tls);
    }

    /** {@code <name> <subnet> [gateway G] [range A-B]... [exclude A[-B]]...}, as a line or {@code pool add} has it. */
    public static Pool pool(String[] words) {
        if (words.length < 2) {
            throw new InvalidValueException("a pool needs a name and a subnet");
        }
        IpCidr subnet = IpCidr.parse(words[1]);
        Optional<IpAddress> gateway = Optional.empty();
        List<Pool.Range> ranges = new ArrayList<>();
        List<Pool.Range> exclusions = new ArrayList<>();
        for (int i = 2; i < words.length; i += 2) {
            if (i + 1 >= words.length) {
                throw new InvalidValueException("\"" + words[i] + "\" needs a value");
            }
            String value = words[i + 1];
            switch (words[i]) {
                case "gateway" -> {
                    if (gateway.isPresent()) {
                        throw new InvalidValueException("a pool has at most one gateway");
                    }
                    gateway = Optional.of(IpAddress.parse("gateway", value, value));
                }
                case "range" -> ranges.add(Pool.Range.parse(value));
                case "exclude" -> exclusions.add(Pool.Range.parse(value));
                default -> throw new InvalidValueException("\"" + words[i] + "\" is not a pool setting: expected gateway,"
                        + " range or exclude");
            }
        }
        return new Pool(words[0], subnet, gateway, ranges, exclusions);
    }

    public Optional<Pool> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    public PoolsFile with(Pool pool) {
        Map<String, Pool> next = new LinkedHashMap<>(pools);
        next.put(pool.name(), pool);
        return new PoolsFile(next, store, cooldown, tls);
    }

    public PoolsFile without(String name) {
        Map<String, Pool> next = new LinkedHashMap<>(pools);
        next.remove(name);
        return new PoolsFile(next, store, cooldown, tls);
    }

    /** The file's text. */
    public String text() {
        StringBuilder sb = new StringBuilder("# pipework address pools: pipework pool add|rm|ls, or edit by hand\n");
        store.ifPresent(s -> sb.append("store = ").append(s).append('\n'));
        tls.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        if (cooldown != DEFAULT_COOLDOWN) {
            sb.append("cooldown = ").append(cooldown).append('\n');
        }
        pools.values().forEach(p -> sb.append(p.line()).append('\n'));
        return sb.toString();
    }
}
