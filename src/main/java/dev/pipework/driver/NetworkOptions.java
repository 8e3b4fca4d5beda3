package dev.pipework.driver;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.MacvlanMode;
import dev.pipework.model.Mtu;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Vlan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A network's {@code -o} options, as {@code docker network create} hands them over (under
 * {@code com.docker.network.generic}): {@code bridge} or {@code parent}, {@code vlan}, {@code mtu},
 * {@code macvlan_mode}, {@code dhcp}. Each is checked here as the command line checks the same
 * value; what the host interface is, is checked by the planner.
 */
public record NetworkOptions(Optional<String> bridge, Optional<String> parent, Optional<Vlan> vlan, Optional<Mtu> mtu,
                             Optional<MacvlanMode> macvlanMode, boolean dhcp, int dhcpTimeout) {
    static final List<String> NAMES = List.of("bridge", "parent", "vlan", "mtu", "macvlan_mode", "dhcp", "dhcp_timeout");
    /** Seconds a first lease may take: within the engine's 30-s bound on a driver's call. */
    static final int DHCP_TIMEOUT = 15;
    private static final int DHCP_TIMEOUT_MAX = 25;

    public static NetworkOptions parse(Map<String, ?> generic) {
        for (String key : new TreeSet<>(generic.keySet())) {
            if (!NAMES.contains(key)) {
                throw new PipeworkException("unknown option \"" + key + "\": a pipework network takes "
                        + String.join(", ", NAMES));
            }
        }
        Map<String, String> o = new LinkedHashMap<>();
        generic.forEach((k, v) -> o.put(k, String.valueOf(v)));
        Optional<String> bridge = Optional.ofNullable(o.get("bridge"));
        Optional<String> parent = Optional.ofNullable(o.get("parent"));
        if (bridge.isPresent() == parent.isPresent()) {
            throw new PipeworkException(bridge.isPresent() ? "bridge and parent both given: a network is on a bridge"
                    + " (-o bridge=<name>) or on a NIC (-o parent=<nic>), not both"
                    : "a pipework network needs -o bridge=<Linux or Open vSwitch bridge> or -o parent=<NIC>");
        }
        for (String name : List.of(bridge, parent).stream().flatMap(Optional::stream).toList()) {
            if (!name.matches("[A-Za-z0-9_.-]{1,15}")) {
                throw new InvalidValueException("interface name \"" + name + "\" is not valid: 1 to 15 letters, digits,"
                        + " '_', '.' or '-'");
            }
        }
        String dhcp = o.getOrDefault("dhcp", "false");
        if (!dhcp.equals("false")) {
            if (!dhcp.equals("true")) {
                throw new InvalidValueException("dhcp \"" + dhcp + "\" is not valid: expected true or false");
            }
        }
        int timeout = DHCP_TIMEOUT;
        if (o.containsKey("dhcp_timeout")) {
            String t = o.get("dhcp_timeout");
            if (!t.matches("[0-9]{1,2}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > DHCP_TIMEOUT_MAX) {
                throw new InvalidValueException("dhcp_timeout \"" + t + "\" is not valid: 1 to " + DHCP_TIMEOUT_MAX
                        + " seconds");
            }
            if (!dhcp.equals("true")) {
                throw new PipeworkException("dhcp_timeout applies to a network with -o dhcp=true");
            }
            timeout = Integer.parseInt(t);
        }
        Optional<MacvlanMode> mode = Optional.ofNullable(o.get("macvlan_mode")).map(MacvlanMode::parse);
        if (mode.isPresent() && parent.isEmpty()) {
            throw new PipeworkException("macvlan_mode applies to a macvlan on a NIC (-o parent=<nic>), and this network"
                    + " is on bridge \"" + bridge.orElseThrow() + "\"");
        }
        return new NetworkOptions(bridge, parent, Optional.ofNullable(o.get("vlan")).map(Vlan::parse),
                Optional.ofNullable(o.get("mtu")).map(Mtu::parse), mode, dhcp.equals("true"), timeout);
    }

    /** The host interface: the bridge, or the NIC. */
    public String hostInterface() {
        return bridge.or(() -> parent).orElseThrow();
    }

    /** The same attach as the command line's {@code pipework [--mtu] <hostif> <guest> [@vlan]}, with no address. */
    public AttachRequest request(String guest) {
        return AttachRequest.on(hostInterface(), guest).tag(vlan.map(Vlan::toString)).mtu(mtu)
                .macvlanMode(macvlanMode).build();
    }

    public Map<String, Object> toRecord() {
        Map<String, Object> r = new LinkedHashMap<>();
        bridge.ifPresent(b -> r.put("bridge", b));
        parent.ifPresent(p -> r.put("parent", p));
        vlan.ifPresent(v -> r.put("vlan", v.toString()));
        mtu.ifPresent(m -> r.put("mtu", m.toString()));
        macvlanMode.ifPresent(m -> r.put("macvlan_mode", m.word()));
        if (dhcp) {
            r.put("dhcp", "true");
            r.put("dhcp_timeout", Integer.toString(dhcpTimeout));
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    public static NetworkOptions fromRecord(Map<String, Object> record) {
        return parse((Map<String, Object>) record.get("options"));
    }
}
