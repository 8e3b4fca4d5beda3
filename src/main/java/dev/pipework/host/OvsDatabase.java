package dev.pipework.host;

import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.json.Json;
import dev.pipework.plan.OvsPort;
import dev.pipework.json.JsonException;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads every bridge, port and interface of Open vSwitch in one {@code ovs-vsctl} call. */
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
                Map<String, String> ids = new LinkedHashMap<>();
                for (Object pair : Json.array(Json.array(r.get(1)).get(1))) {
                    List<Object> kv = Json.array(pair);
                    ids.put((String) kv.get(0), (String) kv.get(1));
                }
                idsOfInterface.put((String) r.get(0), ids);
            }
            Map<String, OvsPort> ports = new LinkedHashMap<>();
            for (Object row : rows(tables.get(1))) {
                List<Object> r = Json.array(row);
                String uuid = (String) Json.array(r.get(0)).get(1);
                String name = (String) r.get(1);
                Optional<Integer> tag = r.get(2) instanceof Number n ? Optional.of(n.intValue()) : Optional.empty();
                String bridge = bridgeOfPortUuid.get(uuid);
                Map<String, String> ids = idsOfInterface.getOrDefault(name, Map.of());
                // A bridge's own port is no port of its, but for the mark of an overlay that follows etcd.
                if (bridge != null && (!bridge.equals(name) || ids.containsKey("pipework.overlay"))) {
                    ports.put(name, new OvsPort(name, bridge, tag, ids));
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
