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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Asks {@code ip} inside the guest. What it prints there is the guest's to choose: it is parsed defensively. */
public final class IpGuestInspector implements GuestInspector {
    private final CommandRunner runner;

    public IpGuestInspector(CommandRunner runner) {
        this.runner = runner;
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

    @Override
    public List<GuestLink> links(String netnsPath, String guest) {
        CommandResult shown = runner.run(Where.guest(netnsPath).wrap(List.of("ip", "-j", "-d", "addr", "show")));
        if (!shown.succeeded()) {
            throw new PipeworkException("cannot list the interfaces of " + guest + ": " + shown.reason());
        }
        try {
            return parseLinks(shown.stdout());
        } catch (JsonException | ClassCastException e) {
            throw new PipeworkException("cannot read the interfaces of " + guest + ": " + e.getMessage());
        }
    }

    /** The links of {@code ip -j -d addr show}; a link whose description is malformed is left out. */
    static List<GuestLink> parseLinks(String json) {
        List<GuestLink> links = new ArrayList<>();
        for (Object o : Json.array(Json.parse(json))) {
            try {
                links.add(link(Json.object(o)));
            } catch (JsonException | ClassCastException | NullPointerException e) {
                // not a link this tool could have made
            }
        }
        return links;
    }

    private static GuestLink link(Map<String, Object> link) {
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
                number(link, "link_index"), number(link, "link_netnsid"),
                link.get("address") instanceof String mac ? mac : "", (int) Json.number(link, "mtu"),
                link.get("operstate") instanceof String s ? s : "UNKNOWN", addresses);
    }

    private static Optional<Integer> number(Map<String, Object> link, String key) {
        return link.containsKey(key) ? Optional.of((int) Json.number(link, key)) : Optional.empty();
    }
}
