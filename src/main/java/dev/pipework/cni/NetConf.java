package dev.pipework.cni;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.InterfaceName;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.model.MacAddress;
import dev.pipework.model.Vlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A network configuration of type {@code pipework}, read and checked before anything changes.
 *
 * @param raw         the configuration as received: what the IPAM plugin is given
 * @param bridge      a Linux or Open vSwitch bridge, by the command line's rules
 * @param master      a NIC, for a macvlan in bridge mode
 * @param mac         the container interface's MAC: {@code runtimeConfig.mac}, else {@code CNI_ARGS MAC},
 *                    else the configuration's {@code mac}
 * @param ipamType    the IPAM plugin, when the configuration delegates addresses
 * @param prevResult  the result of the previous plugin or of ADD, when given
 * @param pool        {@code "ipam": {"type": "pipework", "pool": <name>, "defaultRoute": <bool>}}: addresses
 *                    from pipework's own pool, in this process (no plugin is run): the word
 *                    {@code pool:<name>}, with {@code @gw} when {@code defaultRoute} is true
 */
public record NetConf(Map<String, Object> raw, String cniVersion, String name, String bridge, String master,
                      Optional<Vlan> vlan, Optional<Integer> mtu, Optional<MacAddress> mac, Optional<String> ipamType,
                      Optional<Map<String, Object>> prevResult, Optional<AddressSpec.FromPool> pool) {

    /** Every version this plugin speaks, oldest first. */
    public static final List<String> VERSIONS = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
    public static final String LATEST = "1.1.0";

    /** The root object of the configuration: bad JSON is the specification's decoding failure. */
    public static Map<String, Object> decode(String text) {
        try {
            return Json.object(Json.parse(text.strip()));
        } catch (JsonException e) {
            throw new CniError(CniError.DECODE, "failed to decode the network configuration: " + e.getMessage());
        }
    }

    /** The {@code cniVersion} an error should carry: the configuration's when it has a supported one. */
    public static String versionFor(Map<String, Object> raw) {
        Object v = raw == null ? null : raw.get("cniVersion");
        return v instanceof String s && VERSIONS.contains(s) ? s : LATEST;
    }

    /**
     * Reads and checks a configuration for ADD, DEL or CHECK.
     *
     * @param forDel DEL is lenient: it must clean up after an ADD whatever happens, so only what it
     *               needs (the version and the IPAM plugin) is checked
     */
    public static NetConf parse(Map<String, Object> raw, CniEnv env, boolean forDel) {
        try {
            return read(raw, env, forDel);
        } catch (JsonException e) {
            throw new CniError(CniError.DECODE, "failed to decode the network configuration: " + e.getMessage());
        } catch (InvalidValueException e) {
            throw new CniError(CniError.INVALID_CONFIG, e.getMessage());
        }
    }

    private static NetConf read(Map<String, Object> raw, CniEnv env, boolean forDel) {
        String version = checkVersion(raw);
        String name = Optional.ofNullable(Json.string(raw, "name")).orElse("");
        String bridge = Optional.ofNullable(Json.string(raw, "bridge")).orElse("");
        String master = Optional.ofNullable(Json.string(raw, "master")).orElse("");
        Optional<Map<String, Object>> ipam = optionalObject(raw, "ipam");
        Optional<String> ipamType = Optional.empty();
        Optional<AddressSpec.FromPool> pool = Optional.empty();
        if (ipam.isPresent() && "pipework".equals(Json.string(ipam.get(), "type"))
                && Json.string(ipam.get(), "pool") != null) {
            String poolName = Json.string(ipam.get(), "pool");
            boolean route = ipam.get().get("defaultRoute") != null && Json.bool(ipam.get(), "defaultRoute");
            if (!poolName.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")) {
                throw new InvalidValueException("ipam: pool \"" + poolName + "\" is not a pool name");
            }
            pool = Optional.of(new AddressSpec.FromPool(poolName, route));
        } else if (ipam.isPresent()) {
            String type = Json.string(ipam.get(), "type");
            if (type == null || type.isEmpty()) {
                throw new InvalidValueException("ipam: \"type\" is missing: the IPAM plugin to run");
            }
            if (type.contains("/") || type.equals(".") || type.equals("..")) {
                throw new InvalidValueException("ipam: type \"" + type + "\" is not a plugin name");
            }
            ipamType = Optional.of(type);
        }
        Optional<Map<String, Object>> prev = optionalObject(raw, "prevResult");
        Optional<Map<String, Object>> runtimeConfig = optionalObject(raw, "runtimeConfig");
        Optional<Vlan> vlan = Optional.empty();
        Optional<Integer> mtu = Optional.empty();
        Optional<MacAddress> mac = Optional.empty();
        if (!forDel) {
            if (bridge.isEmpty() == master.isEmpty()) {
                throw new InvalidValueException(bridge.isEmpty()
                        ? "neither \"bridge\" nor \"master\" is set: expected a bridge, or a NIC for a macvlan"
                        : "both \"bridge\" and \"master\" are set: expected one of them");
            }
            InterfaceName.check(bridge.isEmpty() ? "master" : "bridge", bridge.isEmpty() ? master : bridge);
            if (raw.get("vlan") != null) {
                long id = Json.number(raw, "vlan");
                if (id < 1 || id > 4094) {
                    throw new InvalidValueException("vlan " + id + " is not valid: expected a number from 1 to 4094");
                }
                vlan = Optional.of(new Vlan((int) id));
            }
            if (raw.get("mtu") != null) {
                long m = Json.number(raw, "mtu");
                if (m < 68 || m > 65535) {
                    throw new InvalidValueException("mtu " + m + " is not valid: expected a number from 68 to 65535");
                }
                mtu = Optional.of((int) m);
            }
            String macText = Json.string(raw, "mac");
            if (env.arg("MAC").isPresent()) {
                macText = env.arg("MAC").get();
            }
            if (runtimeConfig.isPresent() && Json.string(runtimeConfig.get(), "mac") != null) {
                macText = Json.string(runtimeConfig.get(), "mac");
            }
            if (macText != null && !macText.isEmpty()) {
                mac = Optional.of(MacAddress.parse(macText));
            }
            checkIps(env, runtimeConfig);
        }
        return new NetConf(raw, version, name, bridge, master, vlan, mtu, mac, ipamType, prev, pool);
    }

    /** The addresses asked for ({@code CNI_ARGS IP}, {@code runtimeConfig.ips}) go to IPAM; they must at least be addresses. */
    private static void checkIps(CniEnv env, Optional<Map<String, Object>> runtimeConfig) {
        List<String> ips = new ArrayList<>();
        env.arg("IP").ifPresent(v -> ips.addAll(List.of(v.split(","))));
        if (runtimeConfig.isPresent() && runtimeConfig.get().get("ips") != null) {
            for (Object o : Json.array(runtimeConfig.get().get("ips"))) {
                if (!(o instanceof String s)) {
                    throw new JsonException("runtimeConfig.ips: expected strings");
                }
                ips.add(s);
            }
        }
        for (String ip : ips) {
            if (ip.contains("/")) {
                IpCidr.parse(ip);
            } else {
                IpAddress.parse(ip);
            }
        }
    }

    private static String checkVersion(Map<String, Object> raw) {
        String version = Json.string(raw, "cniVersion");
        if (version == null || version.isEmpty()) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "cniVersion is missing",
                    "supported: " + String.join(", ", VERSIONS));
        }
        if (!VERSIONS.contains(version)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "incompatible CNI version " + version,
                    "supported: " + String.join(", ", VERSIONS));
        }
        return version;
    }

    private static Optional<Map<String, Object>> optionalObject(Map<String, Object> raw, String key) {
        Object v = raw.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Map)) {
            throw new JsonException("member \"" + key + "\": expected an object");
        }
        return Optional.of(Json.object(v));
    }

    /** The host interface the command line would be given: the bridge, or the NIC. */
    public String hostInterface() {
        return bridge.isEmpty() ? master : bridge;
    }

    /**
     * The same of a configuration read back unchecked (a record's, written by an earlier ADD): its
     * {@code bridge}, else its {@code master}, where that is an interface's name.
     */
    public static Optional<String> hostInterfaceIn(Map<String, Object> config) {
        for (String key : List.of("bridge", "master")) {
            if (config.get(key) instanceof String name && InterfaceName.valid(name)) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }
}
