package dev.pipework.guest;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.GuestLink;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.Where;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Asks {@code ip} inside the guest. What it prints there is the guest's to choose: it is parsed defensively. */
public final class IpGuestInspector implements GuestInspector {
    private final CommandRunner runner;
    private final Path netnsDir;
    /** Whether {@code ip -n} enters a guest here ({@link #joined}). */
    private final java.util.concurrent.atomic.AtomicBoolean byName = new java.util.concurrent.atomic.AtomicBoolean(true);

    public IpGuestInspector(CommandRunner runner) {
        this(runner, HostNetnsName.IPROUTE2_NETNS_DIR);
    }

    /** @param netnsDir iproute2's directory of namespace names (another only in tests) */
    IpGuestInspector(CommandRunner runner, Path netnsDir) {
        this.runner = runner;
        this.netnsDir = netnsDir;
    }

    @Override
    public Optional<DefaultRoute> defaultRoute(String netnsPath, Family family) {
        CommandResult result = runner.run(Where.guest(netnsPath)
                .wrap(List.of("ip", "-o", family.ipFlag(), "route", "show", "default")));
        if (!result.succeeded()) {
            return Optional.empty();
        }
        return parseDefaultRoute(result.stdout());
    }

    /** Reads the first line of {@code ip -o route show default}: {@code default via 172.17.0.1 dev eth0 ...}. */
    static Optional<DefaultRoute> parseDefaultRoute(String text) {
        for (String line : text.split("\n")) {
            String[] words = line.trim().split("\\s+");
            Optional<String> via = Optional.empty();
            String device = null;
            for (int i = 0; i + 1 < words.length; i++) {
                if (words[i].equals("via")) {
                    via = Optional.of(words[i + 1]);
                } else if (words[i].equals("dev")) {
                    device = words[i + 1];
                }
            }
            if (words.length > 0 && words[0].equals("default") && device != null) {
                return Optional.of(new DefaultRoute(via, device));
            }
        }
        return Optional.empty();
    }

    /**
     * The guest's links, and of its veths which have their peer in the host's namespace: one
     * {@code ip -batch} there lists the links, then the names of {@code /var/run/netns} with the id
     * the guest gives each, one of them the host's ({@link HostNetnsName}).
     */
    @Override
    public List<GuestLink> links(String netnsPath, String guest) {
        CommandResult shown;
        String hostName;
        try (HostNetnsName host = HostNetnsName.create(netnsDir)) {
            hostName = host.name();
            shown = joined(netnsPath, List.of("-j", "-d", "-batch", "-"), "addr show\nnetns list\n");
        }
        if (!shown.succeeded()) {
            throw new PipeworkException("cannot list the interfaces of " + guest + ": " + shown.reason());
        }
        try {
            return parseLinks(shown.stdout(), hostName);
        } catch (JsonException | ClassCastException e) {
            throw new PipeworkException("cannot read the interfaces of " + guest + ": " + e.getMessage());
        }
    }

    /**
     * Over rtnetlink from this process where the JVM can ({@link RouteNetlink}): a guest costs no
     * program's start, once the JVM's foreign function calls are set up. Where that reading fails,
     * {@code ip} reads the guest, and its failure is the one reported.
     */
    @Override
    public List<GuestLink> linksOfOneOfMany(String netnsPath, String guest) {
        if (RouteNetlink.available()) {
            try {
                return RouteNetlink.read(netnsPath);
            } catch (IOException | RuntimeException e) {
                // read by ip below
            }
        }
        return links(netnsPath, guest);
    }

    /**
     * {@code ip} run in the guest's namespace by its own {@code -n}, one program started where
     * {@code nsenter} adds a second (a guest read for {@code status} and {@code apply} costs mostly its
     * processes' starts). {@code -n} joins the name under iproute2's namespace directory, so a path
     * climbing out of it reaches the namespace file itself. Where {@code ip -n} fails (a namespace
     * file gone, no {@code /sys} it may mount in its mount namespace, an iproute2 that refuses such a
     * name), {@code nsenter} is asked as before: its answer, failure included, is the reading, and once
     * it succeeds where {@code -n} failed, {@code nsenter} is used for the rest of the run.
     */
    private CommandResult joined(String netnsPath, List<String> args, String stdin) {
        Optional<String> name = Where.guest(netnsPath).ipNetnsName();
        if (byName.get() && name.isPresent()) {
            List<String> argv = new ArrayList<>(args.size() + 3);
            argv.add("ip");
            argv.add("-n");
            argv.add(name.get());
            argv.addAll(args);
            CommandResult result = runner.run(argv, stdin);
            if (result.succeeded()) {
                return result;
            }
        }
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add("ip");
        argv.addAll(args);
        CommandResult result = runner.run(Where.guest(netnsPath).wrap(argv), stdin);
        if (result.succeeded()) {
            byName.set(false);
        }
        return result;
    }

    /**
     * Reads the two lines of that batch: {@code addr show}, then {@code netns list}, where the entry
     * named {@code hostName} carries the id of the host's namespace when the guest gives it one. A
     * link whose description is malformed is left out.
     */
    static List<GuestLink> parseLinks(String output, String hostName) {
        int end = output.indexOf('\n');
        String addresses = end < 0 ? output : output.substring(0, end);
        Optional<Integer> hostNsid = end < 0 ? Optional.empty() : hostNsid(output.substring(end + 1).trim(), hostName);
        List<GuestLink> links = new ArrayList<>();
        for (Object o : Json.array(Json.parse(addresses))) {
            try {
                links.add(link(Json.object(o), hostNsid));
            } catch (JsonException | ClassCastException | NullPointerException e) {
                // not a link this tool could have made
            }
        }
        return links;
    }

    private static Optional<Integer> hostNsid(String netnsList, String hostName) {
        if (netnsList.isEmpty()) {
            return Optional.empty();
        }
        for (Object o : Json.array(Json.parse(netnsList))) {
            if (o instanceof Map<?, ?> entry && hostName.equals(entry.get("name")) && entry.get("id") instanceof Number id) {
                return Optional.of(id.intValue());
            }
        }
        return Optional.empty();
    }

    private static GuestLink link(Map<String, Object> link, Optional<Integer> hostNsid) {
        Object info = link.get("linkinfo");
        String kind = info instanceof Map<?, ?> m && m.get("info_kind") instanceof String k ? k : "";
        String alias = link.get("ifalias") instanceof String a ? a : "";
        List<String> addresses = new ArrayList<>();
        if (link.get("addr_info") instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> a = Json.object(o);
                if (!"link".equals(a.get("scope")) && !"host".equals(a.get("scope"))) {
                    addresses.add(Json.string(a, "local") + "/" + Json.number(a, "prefixlen"));
                }
            }
        }
        return new GuestLink(Json.string(link, "ifname"), (int) Json.number(link, "ifindex"), kind, alias,
                number(link, "link_index"), hostNsid.isPresent() && number(link, "link_netnsid").equals(hostNsid),
                link.get("address") instanceof String mac ? mac : "", (int) Json.number(link, "mtu"),
                link.get("operstate") instanceof String s ? s : "UNKNOWN", addresses);
    }

    private static Optional<Integer> number(Map<String, Object> link, String key) {
        return link.containsKey(key) ? Optional.of((int) Json.number(link, key)) : Optional.empty();
    }
}
