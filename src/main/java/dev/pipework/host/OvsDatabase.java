package dev.pipework.host;

import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.json.Json;
import dev.pipework.plan.OvsPort;
import dev.pipework.json.JsonException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Open vSwitch's ports: every bridge, port and interface in one {@code ovs-vsctl} call, or a
 * few ports asked by name or by a record of their interface's in a question or two on the database's
 * socket ({@link OvsdbSocket}), which the server answers from its rows, whatever their number.
 */
public final class OvsDatabase {
    private OvsDatabase() {
    }

    /** The ports by name; empty when Open vSwitch is not installed or does not answer. */
    public static Map<String, OvsPort> ports(CommandRunner runner) {
        return read(runner).ports();
    }

    /** The ports by name, and, when they are none because the database did not answer, that line. */
    public static HostInspector.OvsPorts read(CommandRunner runner) {
        if (ExecutablePath.find("ovs-vsctl").isEmpty()) {
            return new HostInspector.OvsPorts(Map.of(), Optional.empty());
        }
        CommandResult result = runner.run(List.of("ovs-vsctl", "--timeout=10", "--format=json",
                "--columns=name,ports", "list", "Bridge",
                "--", "--columns=_uuid,name,tag", "list", "Port",
                "--", "--columns=name,external_ids", "list", "Interface"));
        if (!result.succeeded()) {
            return new HostInspector.OvsPorts(Map.of(), result.ovsDatabaseDown());
        }
        return new HostInspector.OvsPorts(parse(result.stdout()), Optional.empty());
    }

    /**
     * The ports of these names, read alone: empty when they could not be asked so (no database on its
     * socket there, an answer that cannot be read), for the caller to read every port instead, which
     * says why. {@code ovs-vsctl} reads every row of the tables a command names before it answers (a
     * find as much as a list: 19 ms with 500 ports, and the whole read's answer to parse here) and is a
     * process to start; the database's own select, asked on its socket, sends back only the rows that
     * match, a port's bridge in a second question (a bridge names its ports by their row's UUID, known
     * once the port is read). A database that accepts the question and does not answer within
     * {@link OvsdbSocket#TIMEOUT} is said not to answer.
     */
    public static Optional<HostInspector.OvsPorts> named(Path socket, Collection<String> names) {
        return named(socket, names, OvsdbSocket.TIMEOUT);
    }

    static Optional<HostInspector.OvsPorts> named(Path socket, Collection<String> names, Duration timeout) {
        return ask(socket, names, Optional.empty(), Map.of(), timeout);
    }

    /**
     * The ports whose interface records {@code key=value} among its external-ids, read alone as
     * {@link #named}; those in {@code known} are taken from there.
     */
    public static Optional<HostInspector.OvsPorts> recording(Path socket, String key, String value,
                                                             Map<String, OvsPort> known) {
        return ask(socket, List.of(), Optional.of(Map.entry(key, value)), known, OvsdbSocket.TIMEOUT);
    }

    /** Whether the switch has a bridge of a name, or the line saying its database did not answer in time. */
    public record BridgeAnswer(boolean exists, Optional<String> down) {
    }

    /**
     * Whether a bridge of this name exists, real or fake (a VLAN's bridge, a port of its parent's
     * marked {@code fake_bridge}, with a tag: ovs-vsctl takes a port so marked without one for no
     * bridge), as {@code ovs-vsctl br-exists} answers, asked on the database's
     * socket: {@code br-exists} reads every bridge, port and interface first. Empty when it could not
     * be asked so, for the caller to run {@code br-exists}.
     */
    public static Optional<BridgeAnswer> bridgeExists(Path socket, String name) {
        Answer a = transact(socket, List.of(select("Bridge", List.of("name", "==", name), "name"),
                OvsdbSocket.select("Port", List.of(List.of("name", "==", name), List.of("fake_bridge", "==", true),
                        List.of("tag", "!=", List.of("set", List.of()))), "name")),
                OvsdbSocket.TIMEOUT);
        if (a.rows() == null) {
            return a.down().map(down -> new BridgeAnswer(false, Optional.of(down)));
        }
        return Optional.of(new BridgeAnswer(a.rows().stream().anyMatch(rows -> !rows.isEmpty()), Optional.empty()));
    }

    /** The ports asked, or with the database not answering in time none and its line; empty when not asked so. */
    private static Optional<HostInspector.OvsPorts> ask(Path socket, Collection<String> names,
                                                        Optional<Map.Entry<String, String>> record,
                                                        Map<String, OvsPort> known, Duration timeout) {
        if (names.isEmpty() && record.isEmpty()) {
            return Optional.of(new HostInspector.OvsPorts(Map.of(), Optional.empty()));
        }
        // First the interfaces (by name, or by the record) and the ports of the names known.
        List<Object> first = new ArrayList<>();
        Set<String> portNames = new LinkedHashSet<>(names);
        for (String name : names) {
            first.add(select("Interface", List.of("name", "==", name), "name", "external_ids"));
            first.add(select("Port", List.of("name", "==", name), "_uuid", "name", "tag"));
        }
        record.ifPresent(r -> first.add(select("Interface", List.of("external_ids", "includes",
                List.of("map", List.of(List.of(r.getKey(), r.getValue())))), "name", "external_ids")));
        Answer a = transact(socket, first, timeout);
        if (a.rows() == null) {
            return a.down().map(down -> new HostInspector.OvsPorts(Map.of(), Optional.of(down)));
        }
        Map<String, Map<String, String>> idsOfInterface = new LinkedHashMap<>();
        Map<String, List<Object>> portRows = new LinkedHashMap<>();
        try {
            for (List<Object> rows : a.rows()) {
                for (Object row : rows) {
                    Map<String, Object> r = Json.object(row);
                    if (r.containsKey("_uuid")) {
                        putPortRow(portRows, r);
                    } else {
                        idsOfInterface.put((String) r.get("name"), externalIds(r.get("external_ids")));
                    }
                }
            }
            Map<String, OvsPort> ports = new LinkedHashMap<>();
            for (String n : idsOfInterface.keySet()) {
                if (known.containsKey(n)) {
                    ports.put(n, known.get(n));
                } else {
                    portNames.add(n);
                }
            }
            // Then the ports of interfaces found by their record, and the bridge of every port.
            List<String> unread = portNames.stream().filter(n -> !portRows.containsKey(n) && !names.contains(n)).toList();
            if (!unread.isEmpty()) {
                List<Object> portSelects = new ArrayList<>();
                unread.forEach(n -> portSelects.add(select("Port", List.of("name", "==", n), "_uuid", "name", "tag")));
                Answer more = transact(socket, portSelects, timeout);
                if (more.rows() == null) {
                    return more.down().map(down -> new HostInspector.OvsPorts(Map.of(), Optional.of(down)));
                }
                for (List<Object> rows : more.rows()) {
                    for (Object row : rows) {
                        putPortRow(portRows, Json.object(row));
                    }
                }
            }
            List<String> found = portNames.stream().filter(portRows::containsKey).toList();
            if (found.isEmpty()) {
                return Optional.of(new HostInspector.OvsPorts(ports, Optional.empty()));
            }
            List<Object> bridges = new ArrayList<>();
            for (String n : found) {
                bridges.add(select("Bridge", List.of("ports", "includes", List.of("uuid", portRows.get(n).get(0))), "name"));
            }
            Answer b = transact(socket, bridges, timeout);
            if (b.rows() == null) {
                return b.down().map(down -> new HostInspector.OvsPorts(Map.of(), Optional.of(down)));
            }
            for (int i = 0; i < found.size(); i++) {
                List<Object> rows = b.rows().get(i);
                String n = found.get(i);
                if (rows.isEmpty()) {
                    continue;  // a port no bridge holds: as the whole read leaves it out
                }
                String bridge = (String) Json.object(rows.get(0)).get("name");
                port(n, bridge, portRows.get(n).get(1), idsOfInterface.getOrDefault(n, Map.of())).ifPresent(p -> ports.put(n, p));
            }
            return Optional.of(new HostInspector.OvsPorts(ports, Optional.empty()));
        } catch (JsonException | ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static Map<String, Object> select(String table, List<Object> condition, String... columns) {
        return OvsdbSocket.select(table, List.of(condition), columns);
    }

    /** The rows of each select, in order; none, and when the database took too long, the line saying so. */
    private record Answer(List<List<Object>> rows, Optional<String> down) {
    }

    private static Answer transact(Path socket, List<Object> operations, Duration timeout) {
        try {
            List<List<Object>> rows = new ArrayList<>();
            for (Map<String, Object> result : OvsdbSocket.transact(socket, operations, timeout)) {
                rows.add(OvsdbSocket.rows(result));
            }
            return new Answer(rows, Optional.empty());
        } catch (OvsdbSocket.NoAnswer e) {
            return new Answer(null, Optional.of(CommandResult.ovsDatabaseDown(e.getMessage())));
        } catch (IOException | JsonException e) {
            return new Answer(null, Optional.empty());
        }
    }

    /** A port row's UUID and tag, by its name. */
    private static void putPortRow(Map<String, List<Object>> portRows, Map<String, Object> row) {
        portRows.put((String) row.get("name"), List.of(Json.array(row.get("_uuid")).get(1), row.get("tag")));
    }

    /**
     * The port as read, its tag an OVSDB atom (a number, or an empty set for none); none for a
     * bridge's own port, which is no port of its, but for the mark of an overlay that follows etcd.
     */
    private static Optional<OvsPort> port(String name, String bridge, Object tag, Map<String, String> ids) {
        if (bridge.equals(name) && !ids.containsKey("pipework.overlay")) {
            return Optional.empty();
        }
        return Optional.of(new OvsPort(name, bridge, tag instanceof Number n ? Optional.of(n.intValue()) : Optional.empty(), ids));
    }

    private static Map<String, String> externalIds(Object map) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (Object pair : Json.array(Json.array(map).get(1))) {
            List<Object> kv = Json.array(pair);
            ids.put((String) kv.get(0), (String) kv.get(1));
        }
        return ids;
    }

    /**
     * ovs-vsctl prints one JSON table per command, one per line. Its values are OVSDB atoms: a set
     * is {@code ["set", [...]]} but a set of one is the bare element, a map is {@code ["map", [[k, v], ...]]},
     * a UUID is {@code ["uuid", "..."]}, and an empty optional (a port without tag) is an empty set.
     */
    static Map<String, OvsPort> parse(String text) {
        try {
            List<String> tables = text.lines().filter(l -> !l.isBlank()).toList();
            if (tables.size() < 3) {
                return Map.of();
            }
            Map<String, String> bridgeOfPortUuid = new HashMap<>();
            for (Object row : rows(tables.get(0))) {
                List<Object> r = Json.array(row);
                String bridge = (String) r.get(0);
                for (Object uuid : setElements(r.get(1))) {
                    bridgeOfPortUuid.put((String) Json.array(uuid).get(1), bridge);
                }
            }
            Map<String, Map<String, String>> idsOfInterface = new HashMap<>();
            for (Object row : rows(tables.get(2))) {
                List<Object> r = Json.array(row);
                idsOfInterface.put((String) r.get(0), externalIds(r.get(1)));
            }
            Map<String, OvsPort> ports = new LinkedHashMap<>();
            for (Object row : rows(tables.get(1))) {
                List<Object> r = Json.array(row);
                String uuid = (String) Json.array(r.get(0)).get(1);
                String name = (String) r.get(1);
                String bridge = bridgeOfPortUuid.get(uuid);
                if (bridge != null) {
                    port(name, bridge, r.get(2), idsOfInterface.getOrDefault(name, Map.of())).ifPresent(p -> ports.put(name, p));
                }
            }
            return ports;
        } catch (JsonException | ClassCastException | IndexOutOfBoundsException e) {
            return Map.of();
        }
    }

    private static List<Object> rows(String table) {
        return Json.array(Json.object(Json.parse(table)).get("data"));
    }

    private static List<Object> setElements(Object atom) {
        List<Object> a = Json.array(atom);
        if ("set".equals(a.get(0))) {
            return Json.array(a.get(1));
        }
        return List.of(atom);
    }
}
