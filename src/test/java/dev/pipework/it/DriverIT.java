package dev.pipework.it;

import dev.pipework.it.support.DhcpServer;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.KillAt;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.PrivateEngine;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;
import dev.pipework.model.MacAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pipework driver} as Docker's network and IPAM driver, against an engine of the test's own.
 * The engine finds plugins in {@code /run/docker/plugins}, which every engine on the host reads, so
 * the plugin's name is the run's own ({@code pw<suffix>}), never {@code pipework}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriverIT {
    private static final String IMAGE = Prerequisites.TEST_IMAGE;
    private static final Pattern INET = Pattern.compile("inet ([0-9.]+/[0-9]+)");
    /**
     * {@code docker restart}s of one container: 5 in the suite (about 3 s each on the shared
     * machine); the 50 with {@code -Dpipework.it.driverRestarts=50}.
     */
    private static final int RESTARTS = Integer.getInteger("pipework.it.driverRestarts", 5);

    private final String s = HostCleanup.uniqueSuffix();
    private final String plugin = "pw" + s;
    private final Path socket = Path.of("/run/docker/plugins/" + plugin + ".sock");
    private final HostCleanup host = new HostCleanup();
    private PrivateEngine engine;
    private Path work;
    private Process driver;
    private Path driverLog;

    @BeforeAll
    void start() throws IOException {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        work = Files.createTempDirectory("pw-driver");
        engine = PrivateEngine.start();
        startDriver();
    }

    @AfterAll
    void stop() {
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            try {
                if (driver != null && driver.isAlive()) {
                    driver.destroyForcibly();
                }
                Sh.run("rm", "-f", socket.toString());
                // Whatever an endpoint left (a failed run): links named by this run's endpoints go with their records.
                for (String link : pipeworkLinks()) {
                    HostCleanup.deleteLink(link);
                }
            } finally {
                host.close();
                if (work != null) {
                    Sh.run("rm", "-rf", work.toString());
                }
            }
        }
    }

    @Test
    @Order(1)
    void linuxBridgeNetworkGivesAddressesThatReachEachOtherAndDockerAgrees() {
        String br = host.bridge("brdl" + s);
        String net = "lb" + s;
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + br, "--subnet", "10.231.0.0/24",
                "--gateway", "10.231.0.1", net);
        assertTrue(linkExists(br), "the bridge pipework was to create is missing:\n" + log());
        String a = run("a", net);
        String b = run("b", net);
        String addrA = address(a, "eth0");
        String addrB = address(b, "eth0");
        assertTrue(addrA.startsWith("10.231.0."), addrA);
        assertTrue(ping(a, addrB.substring(0, addrB.indexOf('/'))), "a does not reach b:\n" + log());
        assertEquals(addrA, engine.dockerOk("inspect", "--format",
                "{{(index .NetworkSettings.Networks \"" + net + "\").IPAddress}}/"
                        + "{{(index .NetworkSettings.Networks \"" + net + "\").IPPrefixLen}}", a).trimmed());
        assertEquals(mac(a, "eth0"), engine.dockerOk("inspect", "--format",
                "{{(index .NetworkSettings.Networks \"" + net + "\").MacAddress}}", a).trimmed());
        assertTrue(engine.dockerOk("exec", a, "ip", "route").out().contains("default via 10.231.0.1 dev eth0"));

        // pipework status lists the endpoint; pipework del refuses it and names the engine's command.
        Sh.Result status = Pipework.run(List.of("status"), Pipework.DEFAULT_TIMEOUT, engine.env());
        assertTrue(status.out().lines().anyMatch(l -> l.startsWith(a) && l.contains(br)), status.describe());
        Sh.Result del = Pipework.run(List.of("del", "-i", "eth0", a), Pipework.DEFAULT_TIMEOUT, engine.env());
        assertNotEquals(0, del.code(), del.describe());
        assertTrue(del.err().contains("docker network disconnect <network> " + a), del.describe());
        assertTrue(ping(a, addrB.substring(0, addrB.indexOf('/'))), "del changed something");
        // del --all: with only the endpoint, refused; beside an interface of the command line's,
        // that one goes and the endpoint stays, said on stderr.
        Sh.Result all = Pipework.run(List.of("del", "--all", a), Pipework.DEFAULT_TIMEOUT, engine.env());
        assertNotEquals(0, all.code(), all.describe());
        String extra = host.bridge("brdx" + s);
        Sh.Result attach = Pipework.run(List.of(extra, "-i", "eth9", a, "10.231.9.2/24"), Pipework.DEFAULT_TIMEOUT,
                engine.env());
        assertEquals(0, attach.code(), attach.describe());
        Sh.Result others = Pipework.run(List.of("del", "--all", a), Pipework.DEFAULT_TIMEOUT, engine.env());
        assertEquals(0, others.code(), others.describe());
        assertTrue(others.err().contains("left interface eth0"), others.describe());
        assertFalse(engine.dockerOk("exec", a, "ip", "-o", "link").out().contains("eth9"), "eth9 was not removed");
        assertTrue(ping(a, addrB.substring(0, addrB.indexOf('/'))), "del of the others removed the endpoint");
        engine.dockerOk("rm", "-f", a, b);
        engine.dockerOk("network", "rm", net);
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> !linkExists(br)),
                "docker network rm left the bridge pipework created");
    }

    @Test
    @Order(2)
    void ovsVlansReachTheirOwnTagAndNotTheOther() {
        String ovs = host.ovsBridge("ovsdl" + s);
        String v100 = "v100" + s;
        String v200 = "v200" + s;
        // One subnet on two VLANs: pipework's IPAM gives each network a pool of its own.
        engine.dockerOk("network", "create", "-d", plugin, "--ipam-driver", plugin, "-o", "bridge=" + ovs, "-o",
                "vlan=100", "--subnet", "10.232.0.0/24", "--gateway", "10.232.0.1", v100);
        engine.dockerOk("network", "create", "-d", plugin, "--ipam-driver", plugin, "-o", "bridge=" + ovs, "-o",
                "vlan=200", "--subnet", "10.232.0.0/24", v200);
        assertEquals("netdev", Ovs.datapathType(ovs));
        String a = run("va", v100);
        String b = run("vb", v100, "--ip", "10.232.0.11");
        String c = run("vc", v200, "--ip", "10.232.0.12");
        assertEquals("10.232.0.2/24", address(a, "eth0"), "the lowest free address after the gateway");
        assertEquals("10.232.0.11/24", address(b, "eth0"));
        Sh.Result taken = engine.docker("run", "-d", "--name", "vt" + s, "--network", v100, "--ip", "10.232.0.11",
                IMAGE, "sleep", "86400");
        assertTrue(taken.err().contains("address 10.232.0.11 is in use already"), taken.describe());
        engine.docker("rm", "-f", "vt" + s);
        assertTrue(ping(a, "10.232.0.11"), "same tag does not reach:\n" + log());
        assertFalse(ping(a, "10.232.0.12"), "VLAN 200 reached from VLAN 100");
        List<Long> tags = new ArrayList<>();
        for (String port : Ovs.ports(ovs)) {
            assertTrue(port.matches("pwh[0-9a-f]{12}"), port);
            Map<String, String> ids = Ovs.interfaceExternalIds(port);
            assertEquals(ovs, ids.get("pipework.bridge"), ids.toString());
            assertTrue(ids.containsKey("pipework.endpoint") && ids.containsKey("pipework.sandbox"), ids.toString());
            tags.add(Ovs.portTag(port).orElseThrow());
        }
        assertEquals(List.of(100L, 100L, 200L), tags.stream().sorted().toList());
        engine.dockerOk("rm", "-f", a, b, c);
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> Ovs.ports(ovs).isEmpty()),
                "docker rm -f left ports: " + Ovs.ports(ovs));
        engine.dockerOk("network", "rm", v100, v200);
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> !Ovs.bridgeExists(ovs)),
                "docker network rm left the Open vSwitch bridge pipework created");
    }

    @Test
    @Order(3)
    void connectAndDisconnectLiveWithAnAddressAsked() {
        String br = host.createBridge("brdf" + s);
        String net = "cd" + s;
        String other = "ot" + s;
        String br2 = host.bridge("brdo" + s);
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + br, "--subnet", "10.233.0.0/24", net);
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + br2, "-o", "mtu=1400",
                "--subnet", "10.234.0.0/24", "--ipv6", "--subnet", "fd00:234::/64", other);
        String a = run("ca", net);
        String b = run("cb", net, "--ip", "10.233.0.40");
        engine.dockerOk("network", "connect", "--ip", "10.234.0.7", "--ip6", "fd00:234::7", other, a);
        assertEquals("10.234.0.7/24", address(a, "eth1"));
        String v6 = engine.dockerOk("exec", a, "ip", "-6", "addr", "show", "dev", "eth1").out();
        assertTrue(v6.contains("inet6 fd00:234::7/64"), v6);
        assertTrue(engine.dockerOk("exec", a, "ip", "link", "show", "eth1").out().contains("mtu 1400"));
        assertTrue(ping(a, "10.233.0.40"));
        engine.dockerOk("network", "disconnect", other, a);
        assertFalse(engine.docker("exec", a, "ip", "link", "show", "eth1").success(), "eth1 still there");
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> ports(br2).isEmpty()),
                "a port is left on " + br2 + ": " + ports(br2));
        assertTrue(ping(a, "10.233.0.40"), "disconnecting the other network broke this one");
        engine.dockerOk("rm", "-f", a, b);
        engine.dockerOk("network", "rm", net, other);
        assertTrue(linkExists(br), "docker network rm removed a bridge pipework found");
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> !linkExists(br2)),
                "docker network rm left the bridge pipework created");
    }

    @Test
    @Order(4)
    void restartsBringTheInterfaceBackAndLeakNothing() {
        String br = host.bridge("brdr" + s);
        String ovs = host.ovsBridge("ovsdr" + s);
        String lnet = "rl" + s;
        String onet = "ro" + s;
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + br, "--subnet", "10.235.0.0/24", lnet);
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + ovs, "-o", "vlan=7",
                "--subnet", "10.236.0.0/24", onet);
        String peer = run("rp", lnet, "--ip", "10.235.0.100");
        String c = run("rc", lnet, "--ip", "10.235.0.5");
        engine.dockerOk("network", "connect", "--ip", "10.236.0.5", onet, c);
        int links = pipeworkLinks().size();
        // Restarts: both interfaces back with their addresses each time (one exec); reach and the
        // host's links and ports every tenth and at the last (a leak would have piled up).
        for (int i = 1; i <= RESTARTS; i++) {
            engine.dockerOk("restart", "-t", "0", c);
            String addresses = engine.dockerOk("exec", c, "ip", "-4", "-o", "addr", "show").out();
            assertTrue(addresses.matches("(?s).* eth0 +inet 10\\.235\\.0\\.5/24 .*")
                    && addresses.matches("(?s).* eth1 +inet 10\\.236\\.0\\.5/24 .*"), "restart " + i + ": " + addresses);
            if (i % 10 == 0 || i == RESTARTS) {
                assertTrue(ping(c, "10.235.0.100"), "restart " + i + ":\n" + log());
                assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> pipeworkLinks().size() == links),
                        "restart " + i + ": links " + pipeworkLinks());
                assertEquals(1, Ovs.ports(ovs).size(), "restart " + i + ": ports " + Ovs.ports(ovs));
            }
        }
        engine.dockerOk("rm", "-f", c, peer);
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> pipeworkLinks().isEmpty()),
                "docker rm -f left " + pipeworkLinks());
        assertEquals(List.of(), Ovs.ports(ovs));
        engine.dockerOk("network", "rm", lnet, onet);
        assertEquals(List.of(), records("endpoints"), "endpoint records left");
    }

    @Test
    @Order(5)
    void aDriverKilledAndStartedAgainServesWhatRunsWithoutReplumbing() throws Exception {
        String ovs = host.ovsBridge("ovsdk" + s);
        String net = "kn" + s;
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + ovs, "--subnet", "10.237.0.0/24", net);
        String a = run("ka", net, "--ip", "10.237.0.10");
        String b = run("kb", net, "--ip", "10.237.0.11");
        String hostEnd = ports(ovs).get(0);
        String index = Sh.ok("cat", "/sys/class/net/" + hostEnd + "/ifindex").trimmed();
        driver.destroyForcibly();
        assertTrue(driver.waitFor(20, TimeUnit.SECONDS));
        assertTrue(ping(a, "10.237.0.11"), "the containers stopped working with the driver");
        // As a CreateNetwork killed once its bridge was made leaves it: the record still pending.
        String pending = host.createBridge("brdp" + s);
        String pendingId = "ee".repeat(32);
        Files.writeString(work.resolve("state/networks/" + pendingId + ".json"), "{\"id\": \"" + pendingId
                + "\", \"options\": {\"bridge\": \"" + pending + "\"}, \"kind\": \"LINUX_BRIDGE\", \"created\": true,"
                + " \"pending\": true}");
        Files.writeString(work.resolve("state/networks/" + "dd".repeat(32) + ".json"), "{\"id\": ");
        startDriver();
        assertFalse(linkExists(pending), "the bridge of a network left pending is still there:\n" + log());
        assertFalse(Files.exists(work.resolve("state/networks/" + pendingId + ".json")));
        assertTrue(log().contains("is damaged") && log().contains("left as it is"), log());
        assertEquals(index, Sh.ok("cat", "/sys/class/net/" + hostEnd + "/ifindex").trimmed(), "re-plumbed");
        String c = run("kc", net, "--ip", "10.237.0.12");
        assertTrue(ping(c, "10.237.0.10"));
        String inspect = engine.dockerOk("network", "inspect", "--format",
                "{{range .Containers}}{{.Name}}={{.IPv4Address}} {{end}}", net).trimmed();
        for (String expected : List.of(a + "=10.237.0.10/24", b + "=10.237.0.11/24", c + "=10.237.0.12/24")) {
            assertTrue(inspect.contains(expected), inspect);
        }
        // An endpoint the earlier process made is taken down and made again by this one.
        engine.dockerOk("restart", "-t", "0", a);
        assertTrue(ping(a, "10.237.0.12"));
        engine.dockerOk("rm", "-f", a, b, c);
        // The damaged record beside it stops no removal of this network (and its bridge).
        engine.dockerOk("network", "rm", net);
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> !Ovs.bridgeExists(ovs)), log());
        Files.delete(work.resolve("state/networks/" + "dd".repeat(32) + ".json"));
        assertEquals(List.of(), records("endpoints"), "endpoint records left");
    }

    @Test
    @Order(6)
    void badOptionsAreRefusedAtCreateWithTheMessageAndChangeNothing() {
        String br = host.bridge("brdb" + s);
        String ovs = host.ovsBridge("ovsdb" + s);
        String existing = host.createBridge("brde" + s);
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("-o", "bridge=" + br, "-o", "colour=red"), "unknown option \"colour\"");
        cases.put(List.of("-o", "bridge=" + existing, "-o", "vlan=100"),
                "VLAN configuration currently unsupported for Linux bridge.");
        cases.put(List.of("-o", "bridge=" + ovs, "-o", "vlan=5000"), "VLAN \"5000\" is not valid");
        cases.put(List.of("-o", "bridge=zz" + s), "I do not know how to setup interface zz" + s + ".");
        cases.put(List.of("-o", "parent=nx" + s), "I do not know how to setup interface nx" + s + ".");
        cases.put(List.of("-o", "parent=" + existing), "is a Linux bridge, not a NIC");
        cases.put(List.of("-o", "parent=lo"), "not an Ethernet interface");
        cases.put(List.of("-o", "bridge=" + br, "-o", "mtu=10"), "MTU \"10\" is not valid");
        cases.put(List.of("-o", "bridge=" + br, "-o", "macvlan_mode=vepa"), "macvlan_mode applies to a macvlan");
        cases.put(List.of("-o", "bridge=" + br, "-o", "dhcp=true"), "create the network with --ipam-driver null");
        cases.put(List.of("--subnet", "10.238.0.0/24"), "needs -o bridge=");
        for (Map.Entry<List<String>, String> e : cases.entrySet()) {
            List<String> argv = new ArrayList<>(List.of("network", "create", "-d", plugin));
            argv.addAll(e.getKey());
            if (!e.getKey().contains("--subnet")) {
                argv.addAll(List.of("--subnet", "10.238.0.0/24"));
            }
            argv.add("bad" + s);
            Sh.Result r = engine.docker(argv.toArray(String[]::new));
            assertNotEquals(0, r.code(), e.getKey() + ": " + r.describe());
            assertTrue(r.err().contains(e.getValue()), e.getKey() + ": " + r.describe());
            assertFalse(engine.docker("network", "inspect", "bad" + s).success(), e.getKey() + ": network made");
        }
        // A subnet overlapping another pipework network's on the same bridge and VLAN (pipework's IPAM,
        // as Docker's own refuses overlapping pools before the driver hears of them).
        engine.dockerOk("network", "create", "-d", plugin, "--ipam-driver", plugin, "-o", "bridge=" + existing,
                "--subnet", "10.238.0.0/24", "first" + s);
        Sh.Result overlap = engine.docker("network", "create", "-d", plugin, "--ipam-driver", plugin, "-o",
                "bridge=" + existing, "--subnet", "10.238.0.0/16", "bad" + s);
        assertTrue(overlap.err().contains("subnet 10.238.0.0/16 overlaps 10.238.0.0/24 of network")
                && overlap.err().contains("cannot carry both"), overlap.describe());
        assertFalse(engine.docker("network", "inspect", "bad" + s).success(), "an overlapping network was made");
        engine.dockerOk("network", "rm", "first" + s);
        Sh.Result ipam = engine.docker("network", "create", "-d", plugin, "--ipam-driver", plugin, "-o",
                "bridge=" + br, "bad" + s);
        assertTrue(ipam.err().contains("give docker network create a --subnet"), ipam.describe());
        assertFalse(linkExists(br), "a refused network created its bridge");
        assertFalse(Ovs.bridgeExists(ovs), "a refused network created its Open vSwitch bridge");
        assertEquals(List.of(), ports(existing));
        assertEquals(List.of(), records("networks"), "a refused network was recorded");
    }

    /** A NIC stand-in: the host end of a veth whose far end, in a namespace of its own, is the LAN's gateway. */
    @Test
    @Order(7)
    void macvlansOnANicReachTheLanAndPrivateModeKeepsThemApart() {
        String nic = host.link("nicd" + s);
        String ns = host.netns("land" + s);
        Sh.ok("ip", "netns", "add", ns);
        Sh.ok("ip", "link", "add", nic, "type", "veth", "peer", "name", "lane" + s);
        Sh.ok("ip", "link", "set", "lane" + s, "netns", ns);
        Sh.ok("ip", "-n", ns, "addr", "add", "10.243.0.254/24", "dev", "lane" + s);
        Sh.ok("ip", "-n", ns, "link", "set", "lane" + s, "up");
        Sh.ok("ip", "link", "set", nic, "up");
        String net = "mv" + s;
        engine.dockerOk("network", "create", "-d", plugin, "-o", "parent=" + nic, "-o", "macvlan_mode=private",
                "--subnet", "10.243.0.0/24", "--gateway", "10.243.0.254", net);
        String a = run("ma", net, "--ip", "10.243.0.10");
        String b = run("mb", net, "--ip", "10.243.0.11");
        String details = Sh.ok("nsenter", "--net=/proc/" + engine.pid(a) + "/ns/net", "ip", "-d", "link", "show",
                "eth0").out();
        assertTrue(details.contains("macvlan mode private") && details.contains("alias pipework macvlan " + nic),
                details);
        assertTrue(ping(a, "10.243.0.254"), "the LAN is not reached:\n" + log());
        assertFalse(ping(a, "10.243.0.11"), "private macvlans of one NIC reached each other");
        Sh.Result status = Pipework.run(List.of("status"), Pipework.DEFAULT_TIMEOUT, engine.env());
        assertTrue(status.out().lines().anyMatch(l -> l.startsWith(a) && l.contains("macvlan")), status.describe());
        engine.dockerOk("rm", "-f", a, b);
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> pipeworkLinks().isEmpty()),
                "docker rm -f left " + pipeworkLinks());
        engine.dockerOk("network", "rm", net);
        assertTrue(linkExists(nic), "docker network rm removed the NIC");
    }

    @Test
    @Order(8)
    void aComposeFileWithTwoPipeworkNetworksComesUpAndGoesDown() throws IOException {
        Prerequisites.requireCommand("docker-compose");
        String br = host.bridge("brdc" + s);
        String ovs = host.ovsBridge("ovsdc" + s);
        Path project = Files.createDirectories(work.resolve("compose"));
        Files.writeString(project.resolve("docker-compose.yml"), String.join("\n",
                "version: \"2.4\"",
                "services:",
                "  web:",
                "    image: " + IMAGE,
                "    command: sleep 86400",
                "    networks:",
                "      front: {ipv4_address: 10.240.0.5}",
                "      back: {}",
                "networks:",
                "  front:",
                "    driver: " + plugin,
                "    driver_opts: {bridge: " + br + "}",
                "    ipam: {config: [{subnet: 10.240.0.0/24}]}",
                "  back:",
                "    driver: " + plugin,
                "    driver_opts: {bridge: " + ovs + ", vlan: \"300\"}",
                "    ipam: {driver: " + plugin + ", config: [{subnet: 10.241.0.0/24}]}",
                ""));
        List<String> compose = List.of("docker-compose", "-p", "pwd" + s, "-f",
                project.resolve("docker-compose.yml").toString());
        Sh.Result up = Sh.run(concat(compose, "up", "-d"), Duration.ofMinutes(3), null, engine.env());
        assertEquals(0, up.code(), up.describe() + "\nthe driver said:\n" + log());
        String web = engine.dockerOk("ps", "-q", "--filter", "label=com.docker.compose.service=web").trimmed();
        List<String> addresses = List.of(address(web, "eth0"), address(web, "eth1"));
        assertTrue(addresses.contains("10.240.0.5/24"), addresses.toString());
        assertTrue(addresses.contains("10.241.0.1/24") || addresses.contains("10.241.0.2/24"), addresses.toString());
        assertEquals(List.of(300L), Ovs.ports(ovs).stream().map(p -> Ovs.portTag(p).orElseThrow()).toList());
        Sh.Result down = Sh.run(concat(compose, "down"), Duration.ofMinutes(3), null, engine.env());
        assertEquals(0, down.code(), down.describe() + "\nthe driver said:\n" + log());
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> !linkExists(br) && !Ovs.bridgeExists(ovs)),
                "docker-compose down left the bridges pipework made");
        assertEquals(List.of(), records("endpoints"));
        assertEquals(List.of(), records("networks"));
    }

    /**
     * Containers with {@code --restart always}: the engine stopped and started, they come back
     * plumbed; the engine stopped again with {@code --live-restore}, they run on, plumbed, and keep
     * their ports once it is back (no endpoint made twice); a container started then plumbs.
     */
    @Test
    @Order(9)
    void containersWithARestartPolicyComeBackPlumbedAfterTheEngineRestarts() {
        String ovs = host.ovsBridge("ovsdd" + s);
        String net = "dd" + s;
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + ovs, "-o", "vlan=42",
                "--subnet", "10.244.0.0/24", net);
        String a = run("da", net, "--ip", "10.244.0.10", "--restart", "always");
        String b = run("db", net, "--ip", "10.244.0.11", "--restart", "always");
        engine.down();
        engine.up();
        for (String c : List.of(a, b)) {
            assertTrue(Poll.within(Duration.ofSeconds(60), Poll.TICK, () -> engine.docker("inspect", "--format",
                    "{{.State.Running}}", c).trimmed().equals("true")), c + " is not running again:\n" + log());
        }
        assertEquals("10.244.0.10/24", address(a, "eth0"));
        assertTrue(ping(a, "10.244.0.11"), "not plumbed again:\n" + log());
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> Ovs.ports(ovs).size() == 2),
                "ports: " + Ovs.ports(ovs));

        // With live-restore the containers outlive the engine: plumbed all along, their ports kept,
        // nothing made twice when the engine comes back, and a container started then plumbs.
        engine.down();
        engine.up(List.of("--live-restore"));
        for (String c : List.of(a, b)) {
            assertTrue(Poll.within(Duration.ofSeconds(60), Poll.TICK, () -> engine.docker("inspect", "--format",
                    "{{.State.Running}}", c).trimmed().equals("true")), c + " is not running again:\n" + log());
        }
        int pid = engine.pid(a);
        engine.down();
        assertTrue(Files.exists(Path.of("/proc/" + pid)), "the container did not outlive its engine (live-restore)");
        assertTrue(Sh.run(List.of("nsenter", "-t", Integer.toString(pid), "-n", "ping", "-c", "1", "-W", "2",
                "10.244.0.11"), Duration.ofSeconds(10)).success(), "not reached while the engine is down:\n" + log());
        engine.up(List.of("--live-restore"));
        assertEquals(pid, engine.pid(a), "the container was started again");
        assertTrue(ping(a, "10.244.0.11"), "not reached after the engine came back:\n" + log());
        String c = run("dc", net, "--ip", "10.244.0.12");
        assertTrue(ping(c, "10.244.0.10"), "a container started after does not reach:\n" + log());
        assertEquals(3, Ovs.ports(ovs).size(), "ports: " + Ovs.ports(ovs));
        engine.dockerOk("rm", "-f", a, b, c);
        engine.dockerOk("network", "rm", net);
        assertEquals(List.of(), records("endpoints"), "endpoint records left");
    }

    /**
     * Fifty containers started at once on one network of pipework's IPAM: every one plumbed, each
     * address given once, one bridge port each; {@code docker rm -f} leaves no port and no record.
     */
    @Test
    @Order(10)
    void fiftyContainersStartedAtOnceAreEachPlumbedWithAnAddressOfTheirOwn() throws Exception {
        String br = host.bridge("brdf" + s);
        String net = "df" + s;
        engine.dockerOk("network", "create", "-d", plugin, "--ipam-driver", plugin, "-o", "bridge=" + br,
                "--subnet", "10.247.0.0/24", net);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            names.add("df" + i + "-" + s);
            engine.dockerOk("create", "--name", names.get(i), "--network", net, IMAGE, "sleep", "86400");
        }
        java.util.concurrent.ExecutorService starters = java.util.concurrent.Executors.newFixedThreadPool(25);
        try {
            List<java.util.concurrent.Future<Sh.Result>> started = new ArrayList<>();
            for (String name : names) {
                started.add(starters.submit(() -> engine.docker("start", name)));
            }
            for (java.util.concurrent.Future<Sh.Result> f : started) {
                assertEquals(0, f.get().code(), f.get().describe() + "\nthe driver said:\n" + log());
            }
        } finally {
            starters.shutdown();
        }
        java.util.Set<String> given = new java.util.HashSet<>();
        for (String name : names) {
            String a = engine.dockerOk("inspect", "--format", "{{(index .NetworkSettings.Networks \"" + net
                    + "\").IPAddress}}", name).trimmed();
            assertTrue(a.startsWith("10.247.0.") && given.add(a), name + ": " + a + " (given: " + given + ")");
        }
        assertEquals(50, ports(br).size(), "ports: " + ports(br));
        // Each plumbed as Docker says: its address on its eth0.
        for (String name : List.of(names.get(0), names.get(49))) {
            assertTrue(given.contains(address(name, "eth0").replace("/24", "")), name);
        }
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(names);
        engine.dockerOk(Duration.ofMinutes(3), rm.toArray(String[]::new));
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> ports(br).isEmpty()), "ports left: " + ports(br));
        engine.dockerOk("network", "rm", net);
        assertEquals(List.of(), records("endpoints"), "endpoint records left");
    }

    /**
     * A second driver of the test's own, with {@code KillAt}'s {@code ip} first on its PATH and a
     * journal of its own, SIGKILLed in a Join ({@code docker run} on a Linux bridge network), then
     * started again at once, as a service manager restarts it: its start undoes the killed run from
     * the journal before it listens. The engine calls the plugin again while it cannot reach it, but
     * sends that call without its body, which the new driver refuses: the container does not start,
     * and the bridge has no port, no link of the endpoint is left, the journal is empty; so after
     * {@code docker rm -f}. Killed after the Join's first change and after its last; before each
     * change and after the last with {@code -Dpipework.it.joinKillPoints=all}. The kill point is
     * armed in a file, so that the driver that recovers is the one killed next.
     */
    @Test
    @Order(11)
    void aJoinKilledMidwayIsUndoneByTheDriverStartedAgain() throws Exception {
        String name = "pk" + s;
        Path sock = Path.of("/run/docker/plugins/" + name + ".sock");
        KillAt kill = KillAt.in(work.resolve("kill-bin"));
        Path journal = work.resolve("kill-journal");
        Path state = work.resolve("kill-state");
        String br = host.createBridge("brdk" + s);
        String net = "kj" + s;
        Process[] killable = {startKillableDriver(name, sock, state, journal, kill)};
        try {
            engine.dockerOk("network", "create", "-d", name, "-o", "bridge=" + br, "--subnet", "10.238.0.0/24", net);
            kill.reset();
            String whole = run("kw", net);
            int changes = kill.count();
            assertTrue(changes >= 2, "only " + changes + " changes in a Join");
            engine.dockerOk("rm", "-f", whole);
            assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> ports(br).isEmpty()), "ports: " + ports(br));
            List<Integer> points = new ArrayList<>();
            boolean all = "all".equals(System.getProperty("pipework.it.joinKillPoints"));
            for (int k = 1; k <= changes + 1; k++) {
                if (all || k == 2 || k == changes + 1) {
                    points.add(k);
                }
            }
            for (int k : points) {
                String where = (k <= changes ? "KILL_AT=" + k : "KILL_AFTER=" + changes) + " of " + changes;
                kill.reset();
                kill.arm(k <= changes ? "KILL_AT" : "KILL_AFTER", Math.min(k, changes));
                String container = "kk" + k + s;
                java.util.concurrent.CompletableFuture<Sh.Result> started = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> engine.docker("run", "-d", "--name", container, "--network", net, IMAGE, "sleep", "86400"));
                assertTrue(killable[0].waitFor(30, TimeUnit.SECONDS), where + ": the driver was not killed");
                assertEquals(137, killable[0].exitValue(), where);
                kill.disarm();
                killable[0] = startKillableDriver(name, sock, state, journal, kill);
                String said = Files.readString(killableLog);
                assertTrue(said.contains("undid a run killed midway (PID "), where + ": the new driver's start said:\n" + said);
                // The engine calls the plugin again, but with an empty body (its request was read once):
                // the new driver refuses that call, and the container does not start.
                Sh.Result r = started.get(90, TimeUnit.SECONDS);
                assertNotEquals(0, r.code(), where + ": " + r.describe());
                assertTrue(ports(br).isEmpty() && endpointLinks(state).isEmpty() && files(journal).isEmpty(),
                        where + ": ports " + ports(br) + ", links " + endpointLinks(state) + ", journal " + files(journal)
                                + "\n" + r.describe());
                engine.dockerOk("rm", "-f", container);
                assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> ports(br).isEmpty()
                        && endpointLinks(state).isEmpty()), where + ": ports " + ports(br) + ", links " + endpointLinks(state));
            }
            System.out.println("DriverIT: Join on a Linux bridge: " + points.size() + " kill points of " + changes
                    + " changes; endpoint records left: " + files(state.resolve("endpoints")));
            engine.dockerOk("network", "rm", net);
        } finally {
            killable[0].destroyForcibly();
            Sh.run("rm", "-f", sock.toString());
        }
    }

    /** The output of the last driver {@link #startKillableDriver} started. */
    private Path killableLog;

    private Process startKillableDriver(String name, Path sock, Path state, Path journal, KillAt kill) throws IOException {
        Path out = work.resolve("kill-driver-" + System.nanoTime() + ".log");
        killableLog = out;
        ProcessBuilder pb = new ProcessBuilder(Pipework.command(List.of("driver", "--socket", sock.toString(),
                "--state-dir", state.toString()))).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(kill.env("", 0));
        pb.environment().put(dev.pipework.exec.Journal.DIR_VARIABLE, journal.toString());
        Process p = pb.start();
        assertTrue(Poll.within(Duration.ofSeconds(30), Poll.TICK, () -> {
            try {
                return Files.readString(out).contains("serving on");
            } catch (IOException e) {
                return false;
            }
        }), "the driver does not serve");
        return p;
    }

    /** The host links of the endpoints recorded in that state directory. */
    private static List<String> endpointLinks(Path state) {
        List<String> links = new ArrayList<>();
        for (String file : files(state.resolve("endpoints"))) {
            for (String prefix : List.of("pwh", "pwg")) {
                if (file.length() > 12 && linkExists(prefix + file.substring(0, 12))) {
                    links.add(prefix + file.substring(0, 12));
                }
            }
        }
        return links;
    }

    private static List<String> files(Path dir) {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    @Order(13)
    void sigtermEndsTheDriverWithStatusZeroAndASocketHandedOverServesTheSame() throws Exception {
        driver.destroy();
        assertTrue(driver.waitFor(30, TimeUnit.SECONDS), "still running 30 s after SIGTERM:\n" + log());
        assertEquals(0, driver.exitValue(), log());
        assertFalse(Files.exists(socket), "the socket file outlives the driver");
        // As systemd's StandardInput=socket hands it over: the listening socket is standard input.
        List<String> argv = new ArrayList<>(List.of("python3", "-c", "import os, socket, sys\n"
                + "s = socket.socket(socket.AF_UNIX)\n"
                + "s.bind(sys.argv[1])\n"
                + "s.listen(16)\n"
                + "os.dup2(s.fileno(), 0)\n"
                + "os.environ['LISTEN_FDS'] = '1'\n"
                + "os.execvp(sys.argv[2], sys.argv[2:])\n", socket.toString()));
        argv.addAll(Pipework.command(List.of("driver", "--state-dir", work.resolve("state").toString())));
        driverLog = work.resolve("driver-activated.log");
        driver = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(driverLog.toFile()).start();
        assertTrue(Poll.within(Duration.ofSeconds(30), Poll.TICK, () -> log().contains("serving on the socket systemd")),
                "the driver does not serve the socket it was handed:\n" + log());
        String br = host.bridge("brda" + s);
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + br, "--subnet", "10.242.0.0/24", "sa" + s);
        String a = run("sa", "sa" + s);
        assertEquals("10.242.0.2/24", address(a, "eth0"));
        engine.dockerOk("rm", "-f", a);
        engine.dockerOk("network", "rm", "sa" + s);
        driver.destroy();
        assertTrue(driver.waitFor(30, TimeUnit.SECONDS), log());
        assertEquals(0, driver.exitValue(), log());
        Sh.run("rm", "-f", socket.toString());
    }

    /** The units are well-formed, where systemd-analyze is installed; the service takes the socket's listener. */
    @Test
    @Order(14)
    void theSystemdUnitsVerify() throws IOException {
        Prerequisites.requireCommand("systemd-analyze");
        Path root = Pipework.jar().getParent().getParent();
        String service = Files.readString(root.resolve("packaging/pipework-docker.service"), StandardCharsets.UTF_8);
        String socketUnit = Files.readString(root.resolve("packaging/pipework-docker.socket"), StandardCharsets.UTF_8);
        assertTrue(service.contains("\nExecStart=/usr/bin/pipework driver\n") && service.contains("\nStandardInput=socket\n")
                && service.contains("\nBefore=docker.service\n"), service);
        assertTrue(socketUnit.contains("\nListenStream=/run/docker/plugins/pipework.sock\n")
                && socketUnit.contains("\nBefore=docker.service\n"), socketUnit);
        Path dir = Files.createDirectories(work.resolve("units"));
        Files.writeString(dir.resolve("pipework-docker.service"), service.replace("ExecStart=/usr/bin/pipework ",
                "ExecStart=" + root.resolve("scripts/pipework") + " "));
        Files.writeString(dir.resolve("pipework-docker.socket"), socketUnit);
        Sh.Result r = Sh.run(List.of("systemd-analyze", "verify", "--man=no",
                dir.resolve("pipework-docker.socket").toString(), dir.resolve("pipework-docker.service").toString()),
                Duration.ofSeconds(60));
        assertEquals(0, r.code(), r.describe());
    }

    /**
     * {@code --mac-address} on a pipework network. The docker CLI here (28) sends it per network,
     * which needs API 1.44, and the 20.10 daemon speaks 1.41: the CLI refuses before the daemon hears
     * of it. Through API 1.41 (the container's {@code MacAddress}, as older clients send it) the
     * daemon hands it to the driver's CreateEndpoint and the container has it.
     */
    @Test
    @Order(10)
    void aMacAddressAskedThroughTheDaemonsApiIsTheContainersMac() {
        String br = host.bridge("brdm" + s);
        String net = "ma" + s;
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + br, "--subnet", "10.245.0.0/24", net);
        Sh.Result cli = engine.docker("run", "-d", "--name", "mc" + s, "--network", net, "--mac-address",
                "02:aa:bb:cc:dd:ee", IMAGE, "sleep", "86400");
        assertTrue(cli.code() != 0 && cli.err().contains("requires API version 1.44")
                && cli.err().contains("API version is 1.41"), cli.describe());
        String a = "mm" + s;
        String body = "{\"Image\": \"" + IMAGE + "\", \"Cmd\": [\"sleep\", \"86400\"], \"MacAddress\":"
                + " \"02:aa:bb:cc:dd:ee\", \"HostConfig\": {\"NetworkMode\": \"" + net + "\"}}";
        Sh.Result created = Sh.run(List.of("curl", "-sS", "--unix-socket", engine.host().substring("unix://".length()),
                "-H", "Content-Type: application/json", "-d", body, "http://engine/v1.41/containers/create?name=" + a),
                Duration.ofSeconds(60));
        assertTrue(created.out().contains("\"Id\""), created.describe());
        engine.dockerOk("start", a);
        assertEquals("02:aa:bb:cc:dd:ee", mac(a, "eth0"), log());
        engine.dockerOk("rm", "-f", a);
        engine.docker("rm", "-f", "mc" + s);
        engine.dockerOk("network", "rm", net);
    }

    /**
     * {@code --ipam-opt pool=<name>}: the network's addresses come from a pipework pool, claimed in
     * the pools' store beside the command line's (never the same address), shown by {@code pool ls}
     * and {@code status}; {@code docker rm} and {@code docker network rm} give them back.
     */
    @Test
    @Order(11)
    void aNetworkOnAPipeworkPoolSharesThePoolWithTheCommandLine() {
        String br = host.bridge("brdp" + s);
        String br2 = host.bridge("brdq" + s);
        String net = "pp" + s;
        Map<String, String> env = poolsEnv();
        assertEquals(0, Pipework.run(List.of("pool", "add", "dock", "10.247.0.0/24", "--gateway", "10.247.0.1",
                "--range", "10.247.0.10-10.247.0.20"), Pipework.DEFAULT_TIMEOUT, env).code());
        engine.dockerOk("network", "create", "-d", plugin, "--ipam-driver", plugin, "--ipam-opt", "pool=dock",
                "-o", "bridge=" + br, net);
        assertEquals("10.247.0.0/24 10.247.0.1", engine.dockerOk("network", "inspect", "--format",
                "{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}", net).trimmed());
        String a = run("pa", net);
        assertEquals("10.247.0.10/24", address(a, "eth0"));
        Sh.Result cli = Pipework.run(List.of(br2, "-i", "eth1", a, "pool:dock"), Pipework.DEFAULT_TIMEOUT, env);
        assertEquals(0, cli.code(), cli.describe());
        assertEquals("10.247.0.11/24", address(a, "eth1"), "the command line got the driver's address");
        String b = run("pb", net);
        assertEquals("10.247.0.12/24", address(b, "eth0"), "the driver got the command line's address");
        assertEquals(3L, poolUse(env, "held"));
        Sh.Result status = Pipework.run(List.of("status"), Pipework.DEFAULT_TIMEOUT, env);
        assertTrue(status.out().lines().anyMatch(l -> l.startsWith(b) && l.contains("10.247.0.12/24")
                && l.trim().endsWith("dock")), status.describe());
        assertEquals(0, Pipework.run(List.of("del", "-i", "eth1", a), Pipework.DEFAULT_TIMEOUT, env).code());
        engine.dockerOk("rm", "-f", a, b);
        assertEquals(0L, poolUse(env, "held"), log());
        assertEquals(3L, poolUse(env, "cooling"));
        engine.dockerOk("network", "rm", net);
        assertEquals(0L, poolUse(env, "held"));
        assertTrue(Pipework.run(List.of("pool", "rm", "dock"), Pipework.DEFAULT_TIMEOUT, env).success());
    }

    private Map<String, String> poolsEnv() {
        Map<String, String> env = new java.util.HashMap<>(engine.env());
        env.putAll(Map.of("PIPEWORK_POOLS", work.resolve("pools").toString(), "PIPEWORK_IPAM_STORE",
                "file:" + work.resolve("ipam")));
        return env;
    }

    private long poolUse(Map<String, String> env, String what) {
        Sh.Result ls = Pipework.run(List.of("pool", "ls", "--json"), Pipework.DEFAULT_TIMEOUT, env);
        assertEquals(0, ls.code(), ls.describe());
        return (Long) dev.pipework.json.Json.at(dev.pipework.json.Json.parse(ls.out()), "pools", "0", what);
    }

    /**
     * {@code -o dhcp=true} with {@code --ipam-driver null}: dnsmasq on the bridge gives the address
     * (Docker shows it), the keeper keeps a client in the container, {@code docker rm -f} releases the
     * lease and leaves no client; with no server, {@code docker run} fails with pipework's line and
     * leaves nothing; a subnet on such a network is refused.
     */
    @Test
    @Order(12)
    void aDhcpNetworkTakesTheLansAddressKeepsItAndReleasesIt() throws IOException {
        Prerequisites.requireCommand("dnsmasq");
        Prerequisites.requireCommand("dhclient");
        try (Rig rig = new Rig(); DhcpServer server = DhcpServer.keeping(rig, false)) {
            String net = "dh" + s;
            Sh.Result subnet = engine.docker("network", "create", "-d", plugin, "-o", "bridge=" + server.bridge(), "-o",
                    "dhcp=true", "--subnet", "10.161.0.0/24", net);
            assertTrue(subnet.err().contains("--ipam-driver null"), subnet.describe());
            engine.dockerOk("network", "create", "-d", plugin, "--ipam-driver", "null", "-o",
                    "bridge=" + server.bridge(), "-o", "dhcp=true", "-o", "dhcp_timeout=10", net);
            String a = run("dha", net);
            String address = address(a, "eth0");
            String bare = address.substring(0, address.indexOf('/'));
            assertTrue(address.startsWith("10.161.0.") && address.endsWith("/24"), address + "\n" + log());
            assertEquals(bare, engine.dockerOk("inspect", "--format",
                    "{{(index .NetworkSettings.Networks \"" + net + "\").IPAddress}}", a).trimmed());
            assertTrue(engine.dockerOk("exec", a, "ip", "route").out().contains("default via " + DhcpServer.ADDRESS),
                    engine.dockerOk("exec", a, "ip", "route").out());
            assertTrue(ping(a, DhcpServer.ADDRESS), "the server is not reached:\n" + log());
            String netns = "/proc/" + engine.pid(a) + "/ns/net";
            assertTrue(Poll.within(Duration.ofSeconds(15), Poll.TICK, () -> clientsIn(netns) == 1),
                    "no kept client in the container:\n" + log());

            // A dhcp_id (an endpoint option the engine keeps with the container): the same MAC and client
            // ID at each start, so the same address after a restart, though each start is a new endpoint.
            String w = "dhw" + s;
            String body = "{\"Image\": \"" + IMAGE + "\", \"Cmd\": [\"sleep\", \"86400\"], \"HostConfig\": {\"NetworkMode\": \""
                    + net + "\"}, \"NetworkingConfig\": {\"EndpointsConfig\": {\"" + net + "\": {\"DriverOpts\": {\"dhcp_id\": \""
                    + w + "\"}}}}}";
            Sh.Result created = Sh.run(List.of("curl", "-sS", "--unix-socket", engine.host().substring("unix://".length()),
                    "-H", "Content-Type: application/json", "-d", body, "http://engine/v1.41/containers/create?name=" + w),
                    Duration.ofSeconds(60));
            assertTrue(created.out().contains("\"Id\""), created.describe());
            engine.dockerOk("start", w);
            String before = address(w, "eth0");
            assertEquals(MacAddress.fromUniqueText(w).text(), mac(w, "eth0"), log());
            assertNotEquals(address, before);
            engine.dockerOk("restart", "-t", "0", w);
            assertEquals(before, address(w, "eth0"), "another address after a restart:\n" + server.dhcpLog() + "\n" + log());
            assertTrue(engine.dockerOk("exec", w, "ip", "route").out().contains("default via " + DhcpServer.ADDRESS));
            // A second container with that dhcp_id would share its MAC and lease: refused.
            String twin = "dht" + s;
            Sh.Result made = Sh.run(List.of("curl", "-sS", "--unix-socket", engine.host().substring("unix://".length()),
                    "-H", "Content-Type: application/json", "-d", body, "http://engine/v1.41/containers/create?name=" + twin),
                    Duration.ofSeconds(60));
            assertTrue(made.out().contains("\"Id\""), made.describe());
            Sh.Result second = engine.docker("start", twin);
            assertTrue(second.code() != 0 && second.err().contains("dhcp_id " + w + " is already endpoint"), second.describe());
            engine.docker("rm", "-f", twin);
            engine.dockerOk("rm", "-f", w);

            engine.dockerOk("rm", "-f", a);
            assertTrue(Poll.within(Duration.ofSeconds(10), Poll.TICK, () -> !server.logged("DHCPRELEASE", bare).isEmpty()),
                    "no DHCPRELEASE:\n" + server.dhcpLog() + "\n" + log());
            assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> pipeworkLinks().isEmpty()),
                    "docker rm -f left " + pipeworkLinks());
            assertEquals(List.of(), records("endpoints"), "endpoint records left");

            String lone = host.bridge("brdn" + s);
            String none = "dn" + s;
            engine.dockerOk("network", "create", "-d", plugin, "--ipam-driver", "null", "-o", "bridge=" + lone, "-o",
                    "dhcp=true", "-o", "dhcp_timeout=2", none);
            Sh.Result r = engine.docker("run", "-d", "--name", "dhn" + s, "--network", none, IMAGE, "sleep", "86400");
            assertNotEquals(0, r.code(), r.describe());
            assertTrue(r.err().contains("no DHCP lease within 2 s"), r.describe() + "\n" + log());
            assertEquals(List.of(), ports(lone), "a port is left on " + lone);
            assertEquals(List.of(), pipeworkLinks());
            engine.docker("rm", "-f", "dhn" + s);
            engine.dockerOk("network", "rm", net, none);
            assertEquals(List.of(), records("endpoints"), "endpoint records left");
        }
    }

    /**
     * A network on an overlay's bridge ({@code -o bridge=<overlay>}): its containers get the
     * overlay's MTU (the underlay's 1500 less 50), or the network's {@code -o mtu} when it gives one.
     */
    @Test
    @Order(11)
    void aNetworkOnAnOverlaysBridgeGetsTheOverlaysMtu() {
        String underlay = host.link("ud" + s);
        String br = host.bridge("bro" + s);
        host.link("vx-bro" + s);
        // A veth as the underlay: this kernel may lack the dummy module.
        Sh.ok("ip", "link", "add", underlay, "type", "veth", "peer", "name", "ue" + underlay.substring(2));
        Sh.ok("ip", "link", "set", underlay, "up");
        int x = java.util.concurrent.ThreadLocalRandom.current().nextInt(0, 256);
        Sh.ok("ip", "addr", "add", "198.18." + x + ".1/24", "dev", underlay);
        String vni = Integer.toString(java.util.concurrent.ThreadLocalRandom.current().nextInt(100_000, 16_000_000));
        Pipework.ok("overlay", "add", br, "vni", vni, "underlay", underlay, "peers", "198.18." + x + ".2");
        String net = "ov" + s;
        String mtu = "om" + s;
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + br, "--subnet", "10.232.0.0/24", net);
        engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + br, "-o", "mtu=1400", "--subnet",
                "10.232.1.0/24", mtu);
        String a = run("ova", net);
        String b = run("ovb", mtu);
        assertEquals("1450", engine.dockerOk("exec", a, "cat", "/sys/class/net/eth0/mtu").trimmed(),
                "a container on the overlay's bridge has the overlay's MTU:\n" + log());
        assertEquals("1400", engine.dockerOk("exec", b, "cat", "/sys/class/net/eth0/mtu").trimmed(),
                "-o mtu is the network's MTU");
        engine.dockerOk("rm", "-f", a, b);
        engine.dockerOk("network", "rm", net, mtu);
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> pipeworkLinks().isEmpty()),
                "docker rm -f left " + pipeworkLinks());
        Pipework.ok("overlay", "rm", br);
        assertFalse(linkExists(br), "overlay rm left the bridge");
    }

    /** DHCP clients ({@code dhclient}) whose namespace is the one {@code netnsFile} names. */
    private static int clientsIn(String netnsFile) {
        String ns = Sh.run("readlink", netnsFile).trimmed();
        int n = 0;
        for (String pid : Sh.run("pgrep", "-x", "dhclient").out().split("\\s+")) {
            if (!pid.isEmpty() && !ns.isEmpty() && ns.equals(Sh.run("readlink", "/proc/" + pid + "/ns/net").trimmed())) {
                n++;
            }
        }
        return n;
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private String run(String name, String network, String... more) {
        String container = name + s;
        List<String> argv = new ArrayList<>(List.of("run", "-d", "--name", container, "--network", network));
        argv.addAll(List.of(more));
        argv.addAll(List.of(IMAGE, "sleep", "86400"));
        Sh.Result r = engine.docker(argv.toArray(String[]::new));
        if (r.code() != 0) {
            throw new AssertionError("docker run failed: " + r.describe() + "\nthe driver said:\n" + log());
        }
        return container;
    }

    private String address(String container, String iface) {
        String out = engine.dockerOk("exec", container, "ip", "-4", "addr", "show", "dev", iface).out();
        Matcher m = INET.matcher(out);
        assertTrue(m.find(), container + " " + iface + ": " + out);
        return m.group(1);
    }

    private String mac(String container, String iface) {
        return engine.dockerOk("exec", container, "cat", "/sys/class/net/" + iface + "/address").trimmed();
    }

    private boolean ping(String container, String address) {
        return engine.docker("exec", container, "ping", "-c", "1", "-W", "2", address).success()
                || engine.docker("exec", container, "ping", "-c", "2", "-W", "2", address).success();
    }

    private static boolean linkExists(String name) {
        return Files.exists(Path.of("/sys/class/net", name));
    }

    private static List<String> ports(String bridge) {
        if (Ovs.bridgeExists(bridge)) {
            return Ovs.ports(bridge);
        }
        try (var files = Files.list(Path.of("/sys/class/net", bridge, "brif"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The host links named after this run's endpoints, that is, every endpoint's whose record is here. */
    private List<String> pipeworkLinks() {
        List<String> links = new ArrayList<>();
        for (String id : records("endpoints")) {
            for (String prefix : List.of("pwh", "pwg", "pwm")) {
                if (linkExists(prefix + id.substring(0, 12))) {
                    links.add(prefix + id.substring(0, 12));
                }
            }
        }
        return links;
    }

    private List<String> records(String kind) {
        try (var files = Files.list(work.resolve("state").resolve(kind))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private void startDriver() throws IOException {
        driverLog = work.resolve("driver-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(Pipework.command(List.of("driver", "--socket", socket.toString(),
                "--state-dir", work.resolve("state").toString())))
                .redirectErrorStream(true).redirectOutput(driverLog.toFile());
        pb.environment().putAll(Map.of("PIPEWORK_POOLS", work.resolve("pools").toString(), "PIPEWORK_IPAM_STORE",
                "file:" + work.resolve("ipam")));
        driver = pb.start();
        assertTrue(Poll.within(Duration.ofSeconds(30), Poll.TICK, () -> log().contains("serving on")),
                "the driver does not serve:\n" + log());
    }

    private String log() {
        try {
            return driverLog == null ? "" : Files.readString(driverLog, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
