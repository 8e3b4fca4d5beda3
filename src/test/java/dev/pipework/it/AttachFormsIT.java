package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Guest;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Reach;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;
import dev.pipework.json.Json;

/**
 * The forms of {@code pipework <hostinterface> <guest> <address> [mac][@vlan]}
 * and of the {@code route}/{@code tc} commands beyond the article's
 * scenarios, each run with the built jar against real guests.
 */
class AttachFormsIT {

    @Test
    void customInterfaceNamesAndASecondInterface() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String brA = rig.host().bridge("br" + rig.suffix() + "a");
            String brB = rig.host().bridge("br" + rig.suffix() + "b");
            String local = rig.host().link("pwl" + rig.suffix());
            Guest c = rig.container("c");
            Guest peer = rig.container("peer");
            int pid = c.pid();

            Pipework.ok(brA, c.name(), "10.0.1.2/24");
            Pipework.ok("-i", "eth2", "-l", local, brB, c.name(), "10.0.2.2/24");
            Pipework.ok(brB, peer.name(), "10.0.2.3/24");

            assertEquals(Set.of("lo", "eth1", "eth2"), IpJson.linkNames(pid), "links in the container");
            assertEquals(Optional.of(brA), IpJson.master("veth1pl" + pid));
            assertEquals(Optional.of(brB), IpJson.master(local), "the -l name is the host end on " + brB);
            assertTrue(IpJson.link(null, "veth2pl" + pid).isEmpty(), "default host name used despite -l");
            Map<String, Object> hostEnd = IpJson.link(null, local).orElseThrow();
            Map<String, Object> eth2 = IpJson.link(pid, "eth2").orElseThrow();
            assertEquals(IpJson.field(hostEnd, "ifindex"), IpJson.field(eth2, "link_index"),
                    "eth2 is not the peer of " + local);
            assertEquals(List.of("10.0.1.2/24"), IpJson.ipv4(pid, "eth1"));
            assertEquals(List.of("10.0.2.2/24"), IpJson.ipv4(pid, "eth2"));
            assertEquals("UP", IpJson.field(eth2, "operstate"));

            assertTrue(Reach.eventually(c, "10.0.2.3"), "no ping over eth2");
            assertTrue(Reach.eventually(peer, "10.0.2.2"), "no ping to eth2");
        }
    }

    @Test
    void macAddressGivenOrDerivedFromText() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("mac");
            int pid = c.pid();
            rig.host().link("veth2pl" + pid);

            Pipework.ok(br, c.name(), "10.0.0.2/24", "26:2e:71:98:60:8f");
            Pipework.ok("-i", "eth2", br, c.name(), "10.0.3.2/24", "U:myhost.foo.com");

            assertEquals("26:2e:71:98:60:8f", IpJson.field(IpJson.link(pid, "eth1").orElseThrow(), "address"));
            // U:<text> derives a stable, locally administered unicast MAC from the text.
            assertEquals("02:72:6c:cd:9b:8d", IpJson.field(IpJson.link(pid, "eth2").orElseThrow(), "address"));
            assertEquals(List.of("10.0.0.2/24"), IpJson.ipv4(pid, "eth1"));
            assertEquals(List.of("10.0.3.2/24"), IpJson.ipv4(pid, "eth2"));
        }
    }

    @Test
    void zeroAddressPlumbsALinkWithoutIpv4() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("zero");
            int pid = c.pid();

            Pipework.ok(br, c.name(), "0/0");

            Map<String, Object> eth1 = IpJson.link(pid, "eth1").orElseThrow(() -> new AssertionError("no eth1"));
            assertTrue(IpJson.flags(eth1).contains("UP"), "eth1 is not up: " + IpJson.flags(eth1));
            assertEquals("UP", IpJson.field(eth1, "operstate"));
            assertEquals(List.of(), IpJson.ipv4(pid, "eth1"), "0/0 must leave eth1 without an IPv4 address");
            assertEquals(List.of(), IpJson.routes(pid), "0/0 must add no IPv4 route");
            assertEquals(Optional.of(br), IpJson.master("veth1pl" + pid));
        }
    }

    @Test
    void ipv6WithFamilyAndGateway() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.containerWithIpv6("v6gw");
            int pid = c.pid();

            Pipework.ok("-a", "6", br, c.name(), "fd00:10::2/64@fd00:10::1");

            assertTrue(IpJson.ipv6(pid, "eth1").contains("fd00:10::2/64"),
                    "IPv6 addresses: " + IpJson.ipv6(pid, "eth1"));
            assertEquals(List.of(), IpJson.ipv4(pid, "eth1"));
            List<Map<String, Object>> defaults = IpJson.routes6(pid).stream()
                    .filter(r -> "default".equals(r.get("dst"))).toList();
            assertEquals(1, defaults.size(), "IPv6 default routes: " + defaults);
            assertEquals("fd00:10::1", defaults.get(0).get("gateway"));
            assertEquals("eth1", defaults.get(0).get("dev"));
            assertEquals(Optional.empty(), IpJson.defaultGateway(pid), "no IPv4 default route expected");
        }
    }

    @Test
    void ipv6FamilyInferredFromTheAddress() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.containerWithIpv6("v6");
            int pid = c.pid();

            Pipework.ok(br, c.name(), "fd00:11::2/64");

            assertTrue(IpJson.ipv6(pid, "eth1").contains("fd00:11::2/64"),
                    "IPv6 addresses: " + IpJson.ipv6(pid, "eth1"));
            assertEquals(List.of(), IpJson.ipv4(pid, "eth1"));
            assertTrue(IpJson.routes6(pid).stream().noneMatch(r -> "default".equals(r.get("dst"))),
                    "no gateway given, yet a default route: " + IpJson.routes6(pid));
        }
    }

    @Test
    void gatewayOutsideTheSubnetGetsAnOnLinkRoute() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("gw");
            int pid = c.pid();

            Pipework.ok(br, c.name(), "10.0.0.2/24@10.9.9.1");

            List<Map<String, Object>> routes = IpJson.routes(pid);
            assertTrue(routes.stream().anyMatch(r -> "10.9.9.1".equals(r.get("dst")) && "eth1".equals(r.get("dev"))
                            && "link".equals(r.get("scope")) && r.get("gateway") == null),
                    "no on-link host route to the gateway: " + routes);
            List<Map<String, Object>> defaults = routes.stream().filter(r -> "default".equals(r.get("dst"))).toList();
            assertEquals(1, defaults.size(), "default routes: " + routes);
            assertEquals("10.9.9.1", defaults.get(0).get("gateway"));
            assertEquals("eth1", defaults.get(0).get("dev"));
        }
    }

    @Test
    void existingHostLinkThatIsUpIsRefused() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String other = "pwe" + rig.suffix();
            Guest c = rig.container("up");
            int pid = c.pid();
            String local = "veth1pl" + pid;
            rig.host().createVeth(local, other);
            Sh.ok("ip", "link", "set", local, "up");
            String ifindex = IpJson.field(IpJson.link(null, local).orElseThrow(), "ifindex");

            Sh.Result r = Pipework.run(br, c.name(), "10.0.0.2/24");

            assertEquals(1, r.code(), r.describe());
            assertEquals("Link " + local + " exists and is up", r.err().strip());
            assertEquals("", r.out());
            assertTrue(IpJson.link(null, br).isEmpty(), "bridge created although the attach was refused");
            Map<String, Object> still = IpJson.link(null, local).orElseThrow(() -> new AssertionError(local + " gone"));
            assertEquals(ifindex, IpJson.field(still, "ifindex"), local + " was replaced");
            assertTrue(IpJson.flags(still).contains("UP"));
            assertEquals(null, still.get("master"), local + " was enslaved");
            assertTrue(IpJson.link(null, other).isPresent(), "its peer was removed");
            assertEquals(Set.of("lo"), IpJson.linkNames(pid), "the container was changed");
        }
    }

    @Test
    void existingHostLinkThatIsDownIsReplaced() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String other = "pwe" + rig.suffix();
            Guest c = rig.container("down");
            int pid = c.pid();
            String local = "veth1pl" + pid;
            rig.host().createVeth(local, other);
            String ifindex = IpJson.field(IpJson.link(null, local).orElseThrow(), "ifindex");

            Pipework.ok(br, c.name(), "10.0.0.2/24");

            Map<String, Object> now = IpJson.link(null, local).orElseThrow(() -> new AssertionError(local + " gone"));
            assertNotEquals(ifindex, IpJson.field(now, "ifindex"), "the stale link was not recreated");
            assertTrue(IpJson.link(null, other).isEmpty(), "the stale link's peer survived");
            assertEquals(Optional.of(br), IpJson.master(local));
            Map<String, Object> eth1 = IpJson.link(pid, "eth1").orElseThrow();
            assertEquals(IpJson.field(now, "ifindex"), IpJson.field(eth1, "link_index"));
            assertEquals(List.of("10.0.0.2/24"), IpJson.ipv4(pid, "eth1"));
        }
    }

    @Test
    void vlanOnALinuxBridgeIsRefused() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("vlan");
            int pid = c.pid();

            Sh.Result r = Pipework.run(br, c.name(), "10.0.0.2/24", "@100");

            assertEquals(1, r.code(), r.describe());
            assertEquals("VLAN configuration currently unsupported for Linux bridge.", r.err().strip());
            assertTrue(IpJson.link(null, br).isEmpty(), "bridge created although the attach was refused");
            assertTrue(IpJson.link(null, "veth1pl" + pid).isEmpty(), "veth left behind");
            assertTrue(IpJson.link(null, "veth1pg" + pid).isEmpty(), "veth left behind");
            assertEquals(Set.of("lo"), IpJson.linkNames(pid), "the container was changed");
        }
    }

    @Test
    void unknownContainerIsReported() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ghost = "pw-it-" + rig.suffix() + "-nosuch";
            Sh.Result r = Pipework.run(br, ghost, "10.0.0.2/24");
            assertEquals(1, r.code(), r.describe());
            assertEquals("Container " + ghost + " not found, and unknown to Docker.", r.err().strip());
            assertTrue(IpJson.link(null, br).isEmpty(), "bridge created for an unknown container");
        }
    }

    /** A named namespace ({@code ip netns add}) and a container on one bridge reach each other. */
    @Test
    void namedNetnsGuest() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ns = rig.netns().create("guest");
            Guest c = rig.container("ctr");

            Sh.Result r = Pipework.run(br, ns, "10.0.0.7/24");
            if (IpJson.hostLinkExists(br)) {
                IpJson.bridgePorts(br).forEach(rig.host()::link);
            }
            assertEquals(0, r.code(), "pipework " + br + " " + ns + " 10.0.0.7/24: " + r.describe());
            Pipework.ok(br, c.name(), "10.0.0.8/24");

            Map<String, Object> inNetns = IpJson.linkInNetns(ns, "eth1")
                    .orElseThrow(() -> new AssertionError("no eth1 in netns " + ns));
            assertEquals("UP", IpJson.field(inNetns, "operstate"));
            assertTrue(IpJson.addressesInNetns(ns, "eth1").contains("10.0.0.7/24"));
            String hostEnd = IpJson.hostLinkWithIndex(IpJson.field(inNetns, "link_index"));
            assertEquals(Optional.of(br), IpJson.master(hostEnd), "host end of the netns guest's eth1");

            assertTrue(Reach.eventuallyFromNetns(ns, "10.0.0.8"), "netns guest cannot ping the container");
            assertTrue(Reach.eventually(c, "10.0.0.7"), "container cannot ping the netns guest");
        }
    }

    /** A bare process given by its PID (in a namespace of its own) and a container on one bridge reach each other. */
    @Test
    void pidGuest() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("ctr");
            long lpid = rig.netns().processInNewNetns();
            rig.host().link("veth1pl" + lpid);

            Pipework.ok(br, Long.toString(lpid), "10.0.0.9/24");
            Pipework.ok(br, c.name(), "10.0.0.8/24");

            assertEquals(Optional.of(br), IpJson.master("veth1pl" + lpid), "host end of the PID guest's eth1");
            assertEquals("UP", IpJson.field(IpJson.link((int) lpid, "eth1").orElseThrow(), "operstate"));
            assertEquals(List.of("10.0.0.9/24"), IpJson.ipv4((int) lpid, "eth1"));
            assertTrue(Reach.eventuallyFromPid(lpid, "10.0.0.8"), "PID guest cannot ping the container");
            assertTrue(Reach.eventually(c, "10.0.0.9"), "container cannot ping the PID guest");
        }
    }

    @Test
    void dryRunPrintsTheCommandsAndChangesNothing() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("dry");
            int pid = c.pid();
            rig.host().link("veth1pg" + pid);
            Set<String> before = IpJson.linkNames(null);
            String containerBefore = Json.write(IpJson.links(pid));

            Sh.Result r = Pipework.run("--dry-run", br, c.name(), "10.0.0.2/24");

            assertEquals(0, r.code(), r.describe());
            String ns = "nsenter --net=/proc/" + pid + "/ns/net ";
            List<String> expected = new ArrayList<>(List.of(
                    "ip link add dev " + br + " type bridge",
                    "ip link set dev " + br + " up",
                    "ip link add name veth1pl" + pid + " mtu 1500 type veth peer name veth1pg" + pid + " mtu 1500"
                            + " netns /proc/" + pid + "/ns/net",
                    "ip link set dev veth1pl" + pid + " master " + br,
                    "ip link set dev veth1pl" + pid + " up",
                    ns + "ip link set dev veth1pg" + pid + " name eth1",
                    ns + "ip -4 addr add 10.0.0.2/24 brd 10.0.0.255 dev eth1",
                    ns + "ip link set dev eth1 up"));
            if (Sh.onPath("arping")) {
                expected.add("setsid -f " + ns + "arping -c 2 -A -I eth1 10.0.0.2");
            }
            // The plan's essential commands, in this order; others (e.g. labelling a link) may stand between.
            List<String> printed = r.out().lines().toList();
            int at = 0;
            for (String line : printed) {
                if (at < expected.size() && line.equals(expected.get(at))) {
                    at++;
                }
            }
            assertEquals(expected.size(), at, "missing or out of order: \"" + (at < expected.size()
                    ? expected.get(at) : "") + "\" in --dry-run output:\n" + r.out());
            assertEquals(expected.get(0), printed.get(0), "the bridge is created first");
            assertEquals(expected.get(expected.size() - 1), printed.get(printed.size() - 1));

            assertTrue(IpJson.link(null, br).isEmpty(), "--dry-run created the bridge");
            assertTrue(IpJson.link(null, "veth1pl" + pid).isEmpty(), "--dry-run created a veth");
            assertTrue(IpJson.link(null, "veth1pg" + pid).isEmpty(), "--dry-run created a veth");
            assertEquals(containerBefore, Json.write(IpJson.links(pid)), "--dry-run changed the container");
            // Other runs may change the host's links meanwhile; none of the changes may be ours.
            Set<String> after = IpJson.linkNames(null);
            Set<String> changed = new TreeSet<>(after);
            changed.removeAll(before);
            Set<String> removed = new TreeSet<>(before);
            removed.removeAll(after);
            changed.addAll(removed);
            assertTrue(changed.stream().noneMatch(n -> n.contains(Integer.toString(pid)) || n.equals(br)),
                    "host links changed by --dry-run: " + changed);
        }
    }

    @Test
    void existingOpenVswitchBridgeIsReused() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        try (Rig rig = new Rig()) {
            String ovs = rig.host().createOvsBridge("ovs" + rig.suffix());
            String uuid = Ovs.bridgeUuid(ovs);
            Guest c1 = rig.container("o1");
            Guest c2 = rig.container("o2");
            String p1 = "veth1pl" + c1.pid();
            String p2 = "veth1pl" + c2.pid();

            Sh.Result r1 = Pipework.ok(ovs, c1.name(), "10.0.0.2/24");
            Sh.Result r2 = Pipework.ok(ovs, c2.name(), "10.0.0.3/24");

            assertEquals("", r1.err(), "no notice expected for an existing bridge");
            assertEquals("", r2.err(), "no notice expected for an existing bridge");
            assertEquals(uuid, Ovs.bridgeUuid(ovs), "the bridge was recreated");
            assertEquals("netdev", Ovs.datapathType(ovs));
            assertEquals(new TreeSet<>(List.of(p1, p2)), new TreeSet<>(Ovs.ports(ovs)));
            assertEquals(Optional.empty(), Ovs.portTag(p1), "no VLAN asked, yet a tag");
            Map<String, String> ids = Ovs.interfaceExternalIds(p1);
            assertEquals(ovs, ids.get("pipework.bridge"));
            assertEquals(p1, ids.get("pipework.interface"));
            assertFalse(ids.containsKey("pipework.vlan"), "pipework.vlan without a VLAN: " + ids);
            assertTrue(Reach.eventually(c1, "10.0.0.3"), "no ping over the reused OVS bridge");
        }
    }

    @Test
    void noNetnsEntryIsLeftForThePid() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("nsdir");
            int pid = c.pid();

            Pipework.ok(br, c.name(), "10.0.0.2/24");

            Path entry = Path.of("/var/run/netns", Integer.toString(pid));
            assertFalse(Files.exists(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS), entry + " left behind");
            assertFalse(Sh.ok("ip", "netns", "list").out().lines().anyMatch(l -> l.split(" ")[0].equals(
                    Integer.toString(pid))), "ip netns list shows the container's PID");
        }
    }

    @Test
    void routeAndTcCommandsRunInTheGuest() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("rt");
            int pid = c.pid();
            Pipework.ok(br, c.name(), "10.0.0.2/24");

            Sh.Result route = Pipework.run("route", c.name(), "add", "10.0.5.0/24", "via", "10.0.0.1");
            assertEquals(0, route.code(), route.describe());
            assertTrue(IpJson.routes(pid).stream().anyMatch(r -> "10.0.5.0/24".equals(r.get("dst"))
                    && "10.0.0.1".equals(r.get("gateway")) && "eth1".equals(r.get("dev"))),
                    "route not added: " + IpJson.routes(pid));

            Sh.Result show = Pipework.run("route", c.name(), "show");
            assertEquals(0, show.code(), show.describe());
            assertEquals(c.netOk("ip", "route", "show").out(), show.out(),
                    "route show prints ip's own output");

            Sh.Result tc = Pipework.run("tc", c.name(), "qdisc", "add", "dev", "eth1", "root", "tbf",
                    "rate", "1mbit", "burst", "32kbit", "latency", "400ms");
            assertEquals(0, tc.code(), tc.describe());
            List<Object> qdiscs = Json.array(Json.parse(
                    c.netOk("tc", "-j", "qdisc", "show", "dev", "eth1").out()));
            assertTrue(qdiscs.stream().map(Json::object)
                            .anyMatch(q -> "tbf".equals(q.get("kind")) && Boolean.TRUE.equals(q.get("root"))),
                    "no root tbf qdisc on eth1: " + qdiscs);

            // A gateway that is not on any link: ip refuses, and so must the tool, with ip's words and status.
            Sh.Result bad = Pipework.run("route", c.name(), "add", "10.0.6.0/24", "via", "10.99.99.1");
            Sh.Result direct = c.netExec("ip", "route", "add", "10.0.6.0/24", "via", "10.99.99.1");
            assertNotEquals(0, direct.code(), "the route was expected to be refused by ip: " + direct.describe());
            assertEquals(direct.code(), bad.code(), bad.describe());
            assertTrue(bad.err().contains(direct.err().strip()), "ip's error not passed on: " + bad.describe());
            assertTrue(IpJson.routes(pid).stream().noneMatch(r -> "10.0.6.0/24".equals(r.get("dst"))));
        }
    }

    @Test
    void verboseLogsEachCommandOnStderrOnly() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("verbose");
            int pid = c.pid();

            List<String> planned = Pipework.ok("--dry-run", br, c.name(), "10.0.0.2/24").out().lines()
                    .map(l -> normalizeNetns(l.endsWith(" &") ? l.substring(0, l.length() - 2) : l)).toList();
            Sh.Result r = Pipework.ok("-v", br, c.name(), "10.0.0.2/24");

            assertEquals("", r.out(), "-v must not print on stdout");
            // A batch is logged as its command, then its lines ("  < <line>"): each line is the
            // command "[nsenter --net=<ns>] ip <line>", without the batch's family flag (a guest's
            // batch is run as "ip -n <ns>", which equals it).
            List<String> logged = new ArrayList<>();
            Matcher m = Pattern.compile("(?m)^(?:\\S+ )?(?:(?:run|start): (.*)|  < (.*))$").matcher(r.err());
            String batchPrefix = null;
            while (m.find()) {
                if (m.group(1) != null) {
                    String command = m.group(1);
                    batchPrefix = command.endsWith(" -batch -")
                            ? command.substring(0, command.indexOf(" ip ") + 4) : null;
                    // A guest's batch by ip's own -n, its namespace's path climbing out of
                    // iproute2's directory: what nsenter --net=<path> ip does.
                    Matcher byName = Pattern.compile("ip -n (?:\\.\\./)*\\.\\.(/\\S+)(?: -[46])? -batch -").matcher(command);
                    if (byName.matches()) {
                        batchPrefix = "nsenter --net=" + byName.group(1) + " ip ";
                    }
                    if (batchPrefix == null && command.startsWith("ip ") && command.endsWith("-batch -")) {
                        batchPrefix = "ip ";
                    }
                    if (batchPrefix == null) {
                        logged.add(normalizeNetns(command));
                    }
                } else if (batchPrefix != null) {
                    logged.add(normalizeNetns(batchPrefix + m.group(2)));
                }
            }
            planned = planned.stream().map(l -> l.replace(" ip -4 ", " ip ").replaceFirst("^ip -4 ", "ip ")).toList();
            assertEquals(planned, logged, "commands logged by -v:\n" + r.err());
            assertEquals(List.of("10.0.0.2/24"), IpJson.ipv4(pid, "eth1"));
        }
    }

    @Test
    void existingBridgeMtuIsGivenToTheVeth() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.host().createBridge("br" + rig.suffix());
            Sh.ok("ip", "link", "set", br, "mtu", "9000");
            Guest c = rig.container("jumbo");
            int pid = c.pid();

            Pipework.ok(br, c.name(), "10.0.0.2/24");

            assertEquals("9000", IpJson.field(IpJson.link(null, "veth1pl" + pid).orElseThrow(), "mtu"));
            assertEquals("9000", IpJson.field(IpJson.link(pid, "eth1").orElseThrow(), "mtu"));
            assertEquals("9000", IpJson.field(IpJson.link(null, br).orElseThrow(), "mtu"));
        }
    }

    /**
     * The original nudges its ARP neighbours with one unsolicited ARP reply
     * ({@code arping -c 2 -A}). A neighbour with {@code arp_accept=1} turns such
     * a reply into a neighbour entry, so the entry appearing without any other
     * traffic shows the announcement went out. Several containers are
     * attached because a lost announcement need not happen every time.
     */
    @Test
    void newAddressIsAnnouncedToNeighbours() {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("arping");
        int attempts = 4;
        try (Rig rig = new Rig()) {
            String br = rig.host().createBridge("br" + rig.suffix());
            String wire = "pwn" + rig.suffix();
            String far = "pwm" + rig.suffix();
            String listener = rig.netns().cable("arp", wire, far, "10.0.0.250/24");
            Sh.ok("ip", "link", "set", wire, "master", br);
            rig.netns().ok(listener, "sysctl", "-q", "-w", "net.ipv4.conf.all.arp_accept=1");
            rig.netns().ok(listener, "sysctl", "-q", "-w", "net.ipv4.conf." + far + ".arp_accept=1");

            List<String> missed = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                Guest c = rig.container("arp" + i);
                String ip = "10.0.0." + (10 + i);
                Pipework.ok(br, c.name(), ip + "/24");
                if (!awaitNeighbour(listener, far, ip)) {
                    missed.add(ip);
                }
            }
            assertEquals(List.of(), missed, "addresses never announced (of " + attempts + " attached)");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Replaces the namespace path of a command (a PID's or a held descriptor's) with a placeholder. */
    private static String normalizeNetns(String command) {
        return command.replaceAll("/proc/\\d+/(ns/net|fd/\\d+)", "NETNS");
    }

    /** Whether {@code ip} shows up in the neighbour table of {@code dev} in {@code ns} within two seconds. */
    private static boolean awaitNeighbour(String ns, String dev, String ip) {
        return Poll.within(Duration.ofSeconds(2), Poll.TICK, () -> Json.array(IpJson.ipNetns(ns, "neigh", "show",
                "dev", dev)).stream().anyMatch(o -> ip.equals(Json.object(o).get("dst"))));
    }
}
