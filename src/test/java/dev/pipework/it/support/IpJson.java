package dev.pipework.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        for (Map<String, Object> l : objects(parseOutput(r.out()))) {
            Object infos = l.get("addr_info");
            if (infos == null) {
                continue;
            }
            for (Object o : Json.array(infos)) {
                Map<String, Object> a = Json.object(o);
                if (a.get("local") != null && a.get("prefixlen") != null) {
                    result.add(a.get("local") + "/" + Json.number(a, "prefixlen"));
                }
            }
        }
        return result;
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
