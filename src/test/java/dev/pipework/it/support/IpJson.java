package dev.pipework.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.pipework.json.Json;

/**
 * Reads network state with {@code ip -j} (JSON output) on the host, inside a
 * container's network namespace ({@code nsenter --net=/proc/PID/ns/net}), or
 * inside a named namespace ({@code ip -n NS}). The host's iproute2 is used in
 * every case, so the container image needs no tools of its own.
 *
 * <p>A {@code pid} of null means the host.
 */
public final class IpJson {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private IpJson() {
    }

    /** {@code ip -j ARGS} in the namespace of {@code pid} (null = host), parsed. */
    public static Object ip(Integer pid, String... args) {
        return parse(prefix(pid), args);
    }

    /** {@code ip -n NS -j ARGS} in the named namespace {@code ns}, parsed. */
    public static Object ipNetns(String ns, String... args) {
        return parse(List.of("ip", "-n", ns), args);
    }

    /** All links with details ({@code ip -j -d link show}). */
    public static List<Map<String, Object>> links(Integer pid) {
        return objects(ip(pid, "-d", "link", "show"));
    }

    /** One link with details, or empty when no such link exists there. */
    public static Optional<Map<String, Object>> link(Integer pid, String name) {
        return link(prefix(pid), name);
    }

    /** One link in named namespace {@code ns}, or empty when no such link exists there. */
    public static Optional<Map<String, Object>> linkInNetns(String ns, String name) {
        return link(List.of("ip", "-n", ns), name);
    }

    /** Addresses of {@code ifname} as "addr/prefixlen" strings, IPv4 and IPv6 (link-local included). */
    public static List<String> addresses(Integer pid, String ifname) {
        return addresses(prefix(pid), ifname);
    }

    /** Addresses of {@code ifname} in named namespace {@code ns}. */
    public static List<String> addressesInNetns(String ns, String ifname) {
        return addresses(List.of("ip", "-n", ns), ifname);
    }

    /** The IPv4 {@code addr_info} entries of {@code ifname} ({@code ip -j -4 addr show dev IFNAME}). */
    public static List<Map<String, Object>> ipv4Info(Integer pid, String ifname) {
        return addrInfo(ip(pid, "-4", "addr", "show", "dev", ifname));
    }

    /** The IPv4 addresses of {@code ifname} as "a.b.c.d/len", in the kernel's order. */
    public static List<String> ipv4(Integer pid, String ifname) {
        return ipv4Info(pid, ifname).stream().map(a -> a.get("local") + "/" + a.get("prefixlen")).toList();
    }

    /** The IPv6 addresses of {@code ifname} as "addr/len", link-local included. */
    public static List<String> ipv6(Integer pid, String ifname) {
        return addrInfo(ip(pid, "-6", "addr", "show", "dev", ifname)).stream()
                .map(a -> a.get("local") + "/" + a.get("prefixlen")).toList();
    }

    /** The global (not link- or host-scoped) addresses of {@code ifname}, IPv4 and IPv6, in the kernel's order. */
    public static List<String> globalAddresses(Integer pid, String ifname) {
        return addrInfo(ip(pid, "addr", "show", "dev", ifname)).stream()
                .filter(a -> !"link".equals(a.get("scope")) && !"host".equals(a.get("scope")))
                .map(a -> a.get("local") + "/" + Json.number(a, "prefixlen")).toList();
    }

    /** Names of the links in the namespace of {@code pid} (null = host). */
    public static Set<String> linkNames(Integer pid) {
        Set<String> names = new TreeSet<>();
        links(pid).forEach(l -> names.add((String) l.get("ifname")));
        return names;
    }

    /** Whether the host has a link named {@code name}. */
    public static boolean hostLinkExists(String name) {
        return link((Integer) null, name).isPresent();
    }

    /** The name of the host link with {@code ifindex}, e.g. a guest veth's peer, found by its {@code link_index}. */
    public static String hostLinkWithIndex(String ifindex) {
        for (Map<String, Object> l : links(null)) {
            if (ifindex != null && ifindex.equals(field(l, "ifindex"))) {
                return (String) l.get("ifname");
            }
        }
        throw new AssertionError("no host link with index " + ifindex);
    }

    /** Names of the host links whose master is {@code bridge}; fails when there is no such link. */
    public static Set<String> bridgePorts(String bridge) {
        Set<String> ports = new TreeSet<>();
        for (Map<String, Object> l : objects(ip(null, "link", "show", "master", bridge))) {
            if (l.get("ifname") != null) {
                ports.add(l.get("ifname").toString());
            }
        }
        return ports;
    }

    /** IPv4 routes of the main table ({@code ip -j -4 route show}). */
    public static List<Map<String, Object>> routes(Integer pid) {
        return objects(ip(pid, "-4", "route", "show"));
    }

    /** IPv6 routes of the main table ({@code ip -j -6 route show}). */
    public static List<Map<String, Object>> routes6(Integer pid) {
        return objects(ip(pid, "-6", "route", "show"));
    }

    /** Gateway of the IPv4 default route, if there is one. */
    public static Optional<String> defaultGateway(Integer pid) {
        return routes(pid).stream()
                .filter(r -> "default".equals(r.get("dst")))
                .map(r -> (String) r.get("gateway"))
                .filter(g -> g != null)
                .findFirst();
    }

    /** The kernel master (Linux bridge, bond, VRF ...) of host link {@code name}, if any. */
    public static Optional<String> master(String name) {
        return master(null, name);
    }

    /** The master of link {@code name} in the namespace of {@code pid} (null = host). */
    public static Optional<String> master(Integer pid, String name) {
        return link(pid, name).map(l -> (String) l.get("master"));
    }

    /** The flags of a link ("UP", "BROADCAST", "LOWER_UP", ...). */
    public static List<String> flags(Map<String, Object> link) {
        Object f = link.get("flags");
        List<String> out = new ArrayList<>();
        if (f != null) {
            Json.array(f).forEach(o -> out.add(o.toString()));
        }
        return out;
    }

    /** {@code linkinfo.info_kind} of a link ("veth", "bridge", "macvlan", ...), if it has one. */
    public static Optional<String> kind(Map<String, Object> link) {
        return Optional.ofNullable(Json.at(link, "linkinfo", "info_kind")).map(Object::toString);
    }

    /** Value of a string or number member of a link (e.g. "address", "mtu", "operstate"). */
    public static String field(Map<String, Object> link, String... path) {
        Object v = Json.at(link, path);
        return v == null ? null : v.toString();
    }

    // ------------------------------------------------------------------ plumbing

    private static List<String> prefix(Integer pid) {
        if (pid == null) {
            return List.of("ip");
        }
        return List.of("nsenter", "--net=/proc/" + pid + "/ns/net", "ip");
    }

    private static Object parse(List<String> prefix, String... args) {
        Sh.Result r = Sh.run(argv(prefix, args), TIMEOUT);
        if (r.code() != 0) {
            throw new AssertionError(String.join(" ", argv(prefix, args)) + " failed: " + r.describe());
        }
        return parseOutput(r.out());
    }

    private static Object parseOutput(String out) {
        // Older iproute2 prints nothing, not [], for an empty list.
        if (out.isBlank()) {
            return List.of();
        }
        return Json.parse(out);
    }

    private static List<String> argv(List<String> prefix, String... args) {
        List<String> argv = new ArrayList<>(prefix);
        argv.add("-j");
        argv.addAll(List.of(args));
        return argv;
    }

    private static Optional<Map<String, Object>> link(List<String> prefix, String name) {
        List<String> argv = argv(prefix, "-d", "link", "show", "dev", name);
        Sh.Result r = Sh.run(argv, TIMEOUT);
        if (r.code() != 0) {
            // "No such device": the link went between its lookup by name and the request for it.
            if (r.err().contains("does not exist") || r.err().contains("Cannot find device")
                    || r.err().contains("No such device")) {
                return Optional.empty();
            }
            throw new AssertionError(String.join(" ", argv) + " failed: " + r.describe());
        }
        List<Map<String, Object>> found = objects(parseOutput(r.out()));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private static List<String> addresses(List<String> prefix, String ifname) {
        List<String> argv = argv(prefix, "addr", "show", "dev", ifname);
        Sh.Result r = Sh.run(argv, TIMEOUT);
        if (r.code() != 0) {
            throw new AssertionError(String.join(" ", argv) + " failed: " + r.describe());
        }
        List<String> result = new ArrayList<>();
        for (Map<String, Object> a : addrInfo(parseOutput(r.out()))) {
            if (a.get("local") != null && a.get("prefixlen") != null) {
                result.add(a.get("local") + "/" + Json.number(a, "prefixlen"));
            }
        }
        return result;
    }

    /** The {@code addr_info} entries of every link in the output of {@code ip -j addr show}. */
    private static List<Map<String, Object>> addrInfo(Object parsed) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> l : objects(parsed)) {
            Object infos = l.get("addr_info");
            if (infos != null) {
                for (Object o : Json.array(infos)) {
                    out.add(Json.object(o));
                }
            }
        }
        return out;
    }

    private static List<Map<String, Object>> objects(Object parsed) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : Json.array(parsed)) {
            Map<String, Object> m = Json.object(o);
            // "ip -j addr" prints {} placeholders for links filtered out.
            if (!m.isEmpty()) {
                out.add(m);
            }
        }
        return out;
    }
}
