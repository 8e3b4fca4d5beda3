package dev.pipework.cni;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.Family;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A CNI result, independent of its version: read from any version this plugin speaks, written in
 * the one asked for. From 0.3.0 to 0.4.0 each IP carries its {@code version}; from 1.0.0 it does not.
 */
public record CniResult(List<Iface> interfaces, List<Ip> ips, List<Route> routes, Map<String, Object> dns) {

    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        dns = Map.copyOf(dns);
    }

    /** An interface the plugin made; {@code sandbox} is the namespace path of one inside the container. */
    public record Iface(String name, String mac, Optional<Integer> mtu, Optional<String> sandbox) {
    }

    /** An address with its prefix, its gateway, and the index in {@code interfaces} of its interface. */
    public record Ip(IpCidr address, Optional<IpAddress> gateway, Optional<Integer> iface) {
    }

    /** A route: destination and, when not on-link, the next hop. */
    public record Route(IpCidr dst, Optional<IpAddress> gw) {
    }

    /** The same result with the interfaces given in place of its own, the IPs pointing at {@code ifaceIndex}. */
    public CniResult withInterfaces(List<Iface> ifaces, int ifaceIndex) {
        List<Ip> moved = new ArrayList<>();
        for (Ip ip : ips) {
            moved.add(new Ip(ip.address(), ip.gateway(), Optional.of(ifaceIndex)));
        }
        return new CniResult(ifaces, moved, routes, dns);
    }

    /** Reads a result of any supported version (an IPAM plugin's, or {@code prevResult}). */
    public static CniResult parse(Map<String, Object> json) {
        try {
            List<Iface> ifaces = new ArrayList<>();
            for (Object o : list(json, "interfaces")) {
                Map<String, Object> m = Json.object(o);
                Optional<Integer> mtu = m.get("mtu") == null ? Optional.empty() : Optional.of((int) Json.number(m, "mtu"));
                ifaces.add(new Iface(text(m, "name"), text(m, "mac"), mtu,
                        Optional.ofNullable(Json.string(m, "sandbox")).filter(s -> !s.isEmpty())));
            }
            List<Ip> ips = new ArrayList<>();
            for (Object o : list(json, "ips")) {
                Map<String, Object> m = Json.object(o);
                IpCidr address = IpCidr.parse(text(m, "address"));
                Optional<IpAddress> gw = Optional.ofNullable(Json.string(m, "gateway")).filter(s -> !s.isEmpty())
                        .map(IpAddress::parse);
                Optional<Integer> iface = m.get("interface") == null ? Optional.empty()
                        : Optional.of((int) Json.number(m, "interface"));
                ips.add(new Ip(address, gw, iface));
            }
            List<Route> routes = new ArrayList<>();
            for (Object o : list(json, "routes")) {
                Map<String, Object> m = Json.object(o);
                routes.add(new Route(IpCidr.parse(text(m, "dst")),
                        Optional.ofNullable(Json.string(m, "gw")).filter(s -> !s.isEmpty()).map(IpAddress::parse)));
            }
            Map<String, Object> dns = json.get("dns") == null ? Map.of() : Json.object(json.get("dns"));
            return new CniResult(ifaces, ips, routes, dns);
        } catch (JsonException | InvalidValueException e) {
            throw new CniError(CniError.DECODE, "failed to decode a CNI result: " + e.getMessage());
        }
    }

    /** The result as the given version writes it. */
    public Map<String, Object> render(String cniVersion) {
        boolean ipVersions = cniVersion.startsWith("0.");
        boolean v110 = cniVersion.equals("1.1.0");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cniVersion", cniVersion);
        List<Object> ifs = new ArrayList<>();
        for (Iface i : interfaces) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", i.name());
            if (!i.mac().isEmpty()) {
                m.put("mac", i.mac());
            }
            if (v110) {
                i.mtu().ifPresent(mtu -> m.put("mtu", (long) mtu));
            }
            i.sandbox().ifPresent(s -> m.put("sandbox", s));
            ifs.add(m);
        }
        if (!ifs.isEmpty()) {
            out.put("interfaces", ifs);
        }
        List<Object> ipList = new ArrayList<>();
        for (Ip ip : ips) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (ipVersions) {
                m.put("version", ip.address().family() == Family.INET ? "4" : "6");
            }
            m.put("address", ip.address().toString());
            ip.gateway().ifPresent(g -> m.put("gateway", g.toString()));
            ip.iface().ifPresent(i -> m.put("interface", (long) i));
            ipList.add(m);
        }
        if (!ipList.isEmpty()) {
            out.put("ips", ipList);
        }
        List<Object> rs = new ArrayList<>();
        for (Route r : routes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dst", r.dst().toString());
            r.gw().ifPresent(g -> m.put("gw", g.toString()));
            rs.add(m);
        }
        if (!rs.isEmpty()) {
            out.put("routes", rs);
        }
        out.put("dns", new LinkedHashMap<>(dns));
        return out;
    }

    private static List<Object> list(Map<String, Object> json, String key) {
        Object v = json.get(key);
        return v == null ? List.of() : Json.array(v);
    }

    private static String text(Map<String, Object> m, String key) {
        String s = Json.string(m, key);
        if (s == null) {
            throw new JsonException("member \"" + key + "\" is missing");
        }
        return s;
    }
}
