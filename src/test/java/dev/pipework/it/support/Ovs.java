package dev.pipework.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.pipework.json.Json;

/**
 * Reads Open vSwitch state with {@code ovs-vsctl --format=json list}, which
 * prints every value typed ({@code ["map", [[k, v], ...]]}, {@code ["set", []]}
 * for an empty optional, a bare number for a set tag). Plain {@code ovs-vsctl get}
 * quotes string values only when they look like numbers, which is awkward to compare.
 */
public final class Ovs {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Ovs() {
    }

    /** Whether an OVS bridge of that name exists ({@code ovs-vsctl br-exists}). */
    public static boolean bridgeExists(String bridge) {
        return Sh.run(List.of("ovs-vsctl", "br-exists", bridge), TIMEOUT).code() == 0;
    }

    /** One column of one record, parsed from JSON; empty when the record does not exist. */
    public static Optional<Object> column(String table, String record, String column) {
        List<String> argv = List.of("ovs-vsctl", "--format=json", "--columns=" + column, "list", table, record);
        Sh.Result r = Sh.run(argv, TIMEOUT);
        if (r.code() != 0) {
            if (r.err().contains("no row")) {
                return Optional.empty();
            }
            throw new AssertionError(String.join(" ", argv) + " failed: " + r.describe());
        }
        Object data = Json.at(Json.parse(r.out()), "data");
        List<Object> rows = Json.array(data);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Json.array(rows.get(0)).get(0));
    }

    /** {@code external_ids} of an Interface record, as an ordered map. */
    public static Map<String, String> interfaceExternalIds(String iface) {
        Object value = column("Interface", iface, "external_ids")
                .orElseThrow(() -> new AssertionError("no OVS Interface " + iface));
        return map(value);
    }

    /** The access VLAN tag of a Port; empty when the port is a trunk (no tag). */
    public static Optional<Long> portTag(String port) {
        Object value = column("Port", port, "tag").orElseThrow(() -> new AssertionError("no OVS Port " + port));
        if (value instanceof Number n) {
            return Optional.of(n.longValue());
        }
        // ["set", []]: the optional column is empty.
        return Optional.empty();
    }

    /** A bridge's {@code datapath_type} ("netdev" for the userspace datapath, "" or "system" for the kernel's). */
    public static String datapathType(String bridge) {
        return Sh.ok(List.of("ovs-vsctl", "get", "Bridge", bridge, "datapath_type"), TIMEOUT).trimmed()
                .replace("\"", "");
    }

    /** A bridge's {@code _uuid}, which changes when the bridge is deleted and created again. */
    public static String bridgeUuid(String bridge) {
        return Sh.ok(List.of("ovs-vsctl", "get", "Bridge", bridge, "_uuid"), TIMEOUT).trimmed();
    }

    /** The ports of a bridge ({@code ovs-vsctl list-ports}), without its local port. */
    public static List<String> ports(String bridge) {
        String out = Sh.ok(List.of("ovs-vsctl", "list-ports", bridge), TIMEOUT).out();
        List<String> ports = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                ports.add(line.strip());
            }
        }
        return ports;
    }

    /** Runs {@code ovs-vsctl ARGS} and throws with its output when it fails. */
    public static Sh.Result vsctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--timeout=20"));
        argv.addAll(List.of(args));
        return Sh.ok(argv, TIMEOUT);
    }

    private static Map<String, String> map(Object value) {
        List<Object> typed = Json.array(value);
        if (typed.size() != 2 || !"map".equals(typed.get(0))) {
            throw new AssertionError("not an OVSDB map: " + Json.write(value));
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Object pair : Json.array(typed.get(1))) {
            List<Object> kv = Json.array(pair);
            result.put(kv.get(0).toString(), kv.get(1).toString());
        }
        return result;
    }
}
