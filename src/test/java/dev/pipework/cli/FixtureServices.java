package dev.pipework.cli;

import dev.pipework.guest.DockerRuntime;
import dev.pipework.guest.GuestInspector;
import dev.pipework.guest.GuestResolver;
import dev.pipework.guest.LxcRuntime;
import dev.pipework.guest.NamedNetnsRuntime;
import dev.pipework.guest.NetnsFileRuntime;
import dev.pipework.guest.ProcessRuntime;
import dev.pipework.host.HostInspector;
import dev.pipework.json.Json;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Runtime;
import dev.pipework.plan.GuestLink;
import dev.pipework.plan.HostLink;
import dev.pipework.plan.LinkFacts;
import dev.pipework.plan.OvsPort;
import dev.pipework.run.Services;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Services whose answers come from a recorded fixture (a JSON document under test-fixtures/plans),
 * and a runner that refuses to run anything: a dry run must not need one.
 */
final class FixtureServices {
    private FixtureServices() {
    }

    static Services from(Map<String, Object> fixture) {
        Map<String, Object> links = fixture.containsKey("links") ? Json.object(fixture.get("links")) : Map.of();
        List<Object> ovsBridges = fixture.containsKey("ovsBridges") ? Json.array(fixture.get("ovsBridges")) : List.of();
        List<Object> commands = fixture.containsKey("commands") ? Json.array(fixture.get("commands")) : List.of();
        boolean ovsInstalled = !fixture.containsKey("ovsInstalled") || Json.bool(fixture, "ovsInstalled");
        boolean kernelDatapath = fixture.containsKey("ovsKernelDatapath") && Json.bool(fixture, "ovsKernelDatapath");

        HostInspector host = new HostInspector() {
            public Optional<LinkFacts> link(String name) {
                if (!links.containsKey(name)) {
                    return Optional.empty();
                }
                Map<String, Object> l = Json.object(links.get(name));
                return Optional.of(new LinkFacts(name,
                        l.containsKey("type") ? (int) Json.number(l, "type") : 1,
                        l.containsKey("mtu") ? (int) Json.number(l, "mtu") : 1500,
                        !l.containsKey("up") || Json.bool(l, "up"),
                        l.containsKey("bridge") && Json.bool(l, "bridge"),
                        l.containsKey("mac") ? Json.string(l, "mac") : "02:00:00:00:00:01",
                        l.containsKey("vlanId") ? Optional.of((int) Json.number(l, "vlanId")) : Optional.empty(),
                        Optional.ofNullable(l.containsKey("phy") ? Json.string(l, "phy") : null),
                        l.containsKey("alias") ? Json.string(l, "alias") : ""));
            }

            public Optional<String> linkWithMac(String mac) {
                for (String name : links.keySet()) {
                    if (link(name).orElseThrow().mac().equalsIgnoreCase(mac)) {
                        return Optional.of(name);
                    }
                }
                return Optional.empty();
            }

            public boolean ovsInstalled() {
                return ovsInstalled;
            }

            public boolean isOvsBridge(String name) {
                return ovsBridges.contains(name);
            }

            public boolean ovsKernelDatapath() {
                return kernelDatapath;
            }

            public boolean commandInstalled(String command) {
                return commands.contains(command);
            }

            public long hostPid() {
                return 1;
            }

            public String runTag() {
                return "1-5eed";
            }

            public Map<Integer, HostLink> links() {
                if (!fixture.containsKey("hostLinkIndex")) {
                    throw new AssertionError("the fixture has no link index");
                }
                Map<Integer, HostLink> byIndex = new java.util.TreeMap<>();
                for (Object o : Json.array(fixture.get("hostLinkIndex"))) {
                    Map<String, Object> l = Json.object(o);
                    int index = (int) Json.number(l, "index");
                    byIndex.put(index, new HostLink(Json.string(l, "name"), index, (int) Json.number(l, "peerIndex"),
                            Optional.ofNullable(l.containsKey("master") ? Json.string(l, "master") : null),
                            l.containsKey("masterLinuxBridge") && Json.bool(l, "masterLinuxBridge"),
                            l.containsKey("alias") ? Json.string(l, "alias") : ""));
                }
                return byIndex;
            }

            public Map<String, OvsPort> ovsPorts() {
                if (!fixture.containsKey("ovsPorts")) {
                    throw new AssertionError("the fixture has no Open vSwitch ports");
                }
                Map<String, OvsPort> ports = new java.util.TreeMap<>();
                for (Map.Entry<String, Object> e : Json.object(fixture.get("ovsPorts")).entrySet()) {
                    Map<String, Object> p = Json.object(e.getValue());
                    Map<String, String> ids = new java.util.TreeMap<>();
                    if (p.containsKey("externalIds")) {
                        Json.object(p.get("externalIds")).forEach((k, v) -> ids.put(k, (String) v));
                    }
                    ports.put(e.getKey(), new OvsPort(e.getKey(), Json.string(p, "bridge"),
                            p.containsKey("tag") ? Optional.of((int) Json.number(p, "tag")) : Optional.empty(), ids));
                }
                return ports;
            }

            public boolean fileExists(String path) {
                return false;
            }
        };

        List<Object> guests = fixture.containsKey("guests") ? Json.array(fixture.get("guests")) : List.of();
        GuestResolver resolver = new GuestResolver() {
            public Guest resolve(String token, boolean running) {
                return fixtureGuest(guests, token);
            }

            public List<Guest> all() {
                List<Guest> all = new ArrayList<>();
                for (Object o : guests) {
                    all.add(fixtureGuest(guests, Json.string(Json.object(o), "token")));
                }
                return all;
            }

            public void verifyUnchanged(Guest guest) {
            }
        };


        Map<String, Object> route = fixture.containsKey("defaultRoute") ? Json.object(fixture.get("defaultRoute")) : null;
        GuestInspector inspector = new GuestInspector() {
            public Optional<DefaultRoute> defaultRoute(String netnsPath, Family family) {
                if (route == null) {
                    return Optional.empty();
                }
                return Optional.of(new DefaultRoute(Optional.ofNullable(route.containsKey("via")
                        ? Json.string(route, "via") : null), Json.string(route, "device")));
            }

            /** The host's own links ({@code hostLinks}), read through the host's namespace (PID 1 here). */
            public List<GuestLink> links(String netnsPath, String guest) {
                Map<String, Object> guestLinks = fixture.containsKey("guestLinks")
                        ? Json.object(fixture.get("guestLinks")) : Map.of();
                if (guestLinks.containsKey(netnsPath)) {
                    return guestLinks(Json.array(guestLinks.get(netnsPath)));
                }
                if (!netnsPath.equals("/proc/1/ns/net") || !fixture.containsKey("hostLinks")) {
                    throw new AssertionError("the fixture has no links for " + netnsPath);
                }
                List<GuestLink> links = new ArrayList<>();
                int index = 1;
                for (Object o : Json.array(fixture.get("hostLinks"))) {
                    Map<String, Object> l = Json.object(o);
                    List<String> addresses = Json.array(l.get("addresses")).stream().map(String.class::cast).toList();
                    links.add(new GuestLink(Json.string(l, "name"), index++, Json.string(l, "type"),
                            l.containsKey("alias") ? Json.string(l, "alias") : "", Optional.empty(), false,
                            "02:00:00:00:00:0" + index, 1500, "UP", addresses));
                }
                return links;
            }
        };
        long uid = fixture.containsKey("uid") ? Json.number(fixture, "uid") : 0;
        return new Services(new RefusingRunner(), host, resolver, inspector, () -> (int) uid,
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "pipework-test-locks"),
                dev.pipework.guest.Docker.unavailable());
    }

    /** A guest's links as recorded: {@code ip -j -d addr show} in its namespace, the fields pipework reads. */
    static List<GuestLink> guestLinks(List<Object> recorded) {
        List<GuestLink> links = new ArrayList<>();
        for (Object o : recorded) {
            Map<String, Object> l = Json.object(o);
            links.add(new GuestLink(Json.string(l, "name"), (int) Json.number(l, "index"), Json.string(l, "type"),
                    l.containsKey("alias") ? Json.string(l, "alias") : "",
                    l.containsKey("peerIndex") ? Optional.of((int) Json.number(l, "peerIndex")) : Optional.empty(),
                    l.containsKey("peerInHost") && Json.bool(l, "peerInHost"), Json.string(l, "mac"),
                    l.containsKey("mtu") ? (int) Json.number(l, "mtu") : 1500, "UP",
                    Json.array(l.get("addresses")).stream().map(String.class::cast).toList()));
        }
        return links;
    }

    static Guest fixtureGuest(List<Object> guests, String token) {
        for (Object o : guests) {
            Map<String, Object> g = Json.object(o);
            if (Json.string(g, "token").equals(token)) {
                int pid = g.containsKey("pid") ? (int) Json.number(g, "pid") : 0;
                String path = g.containsKey("netnsPath") ? Json.string(g, "netnsPath") : "/proc/" + pid + "/ns/net";
                return new Guest(token, runtime(Json.string(g, "kind")),
                        Optional.ofNullable(g.containsKey("id") ? Json.string(g, "id") : null),
                        Optional.ofNullable(g.containsKey("name") ? Json.string(g, "name") : null),
                        pid, path, g.containsKey("inode") ? Json.number(g, "inode") : 4026531840L + pid);
            }
        }
        throw PipeworkException.original("Container " + token + " not found, and unknown to Docker.");
    }

    /** The runtimes the fixtures name by their former enum names. */
    static Runtime runtime(String kind) {
        return switch (kind) {
            case "DOCKER" -> DockerRuntime.RUNTIME;
            case "LXC" -> LxcRuntime.RUNTIME;
            case "NETNS" -> NamedNetnsRuntime.RUNTIME;
            case "PROCESS" -> ProcessRuntime.RUNTIME;
            case "NETNS_FILE" -> NetnsFileRuntime.RUNTIME;
            default -> throw new IllegalArgumentException("unknown guest kind in fixture: " + kind);
        };
    }

    /** Fails any attempt to run a command; records what was tried. */
    static final class RefusingRunner implements CommandRunner {
        final List<List<String>> tried = new ArrayList<>();

        public CommandResult run(List<String> argv) {
            tried.add(argv);
            throw new AssertionError("a dry run ran " + argv);
        }

        public CommandResult run(List<String> argv, String stdin) {
            return run(argv);
        }
    }
}
