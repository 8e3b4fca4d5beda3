package dev.pipework.it;

import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestContainers;
import dev.pipework.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Validation before any change, failures the kernel reports, and runs in parallel. */
class SafetyIT {
    static TestContainers containers;
    static HostCleanup cleanup;
    static String guest;
    static int pid;
    static String bridge;

    @BeforeAll
    static void start() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        containers = new TestContainers();
        cleanup = new HostCleanup();
        guest = containers.start("safety");
        pid = containers.pid(guest);
        bridge = cleanup.bridge("brsf" + HostCleanup.uniqueSuffix());
        cleanup.link("veth1pl" + pid);
    }

    @AfterAll
    static void stop() {
        if (cleanup != null) {
            cleanup.close();
        }
        if (containers != null) {
            containers.close();
        }
    }

    static String state() {
        String p = Integer.toString(pid);
        return Json.write(IpJson.ip(pid, "addr", "show")) + Json.write(IpJson.ip(pid, "route", "show"))
                + IpJson.links(null).stream().map(l -> (String) l.get("ifname"))
                .filter(n -> n.contains(p) || n.startsWith("brsf")).sorted().toList();
    }

    /** Each bad value: exit 1, one line naming it, and neither the host nor the container changed. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            BR C 10.0.0.256/24                       | 10.0.0.256
            BR C 10.0.0/24                           | 10.0.0
            BR C 1.2.3.4.5/24                        | 1.2.3.4.5
            BR C 10.0.0.2/33                         | 33
            BR C 10.0.0.2/x                          | x
            BR C 10.0.0.2/                           | 10.0.0.2/
            BR C /24                                 | /24
            BR C fd00::1/129                         | 129
            BR C fd00:::1/64                         | fd00:::1
            BR C fd00::zz/64                         | fd00::zz
            BR C 10.0.0.2/24@10.0.0.999              | 10.0.0.999
            BR C 10.0.0.2/24@fd00::1                 | fd00::1
            BR C fd00::2/64@10.0.0.1                 | 10.0.0.1
            BR C 10.0.0.2/24@                        | 10.0.0.2/24@
            BR C 0/0@10.0.0.1                        | 10.0.0.1
            BR C 10.0.0.2                            | 10.0.0.2/24
            BR C dhcpx                               | dhcpx
            BR C 10.0.0.2/24 01:00:5e:00:00:01       | 01:00:5e:00:00:01
            BR C 10.0.0.2/24 ff:ff:ff:ff:ff:ff       | ff:ff:ff:ff:ff:ff
            BR C 10.0.0.2/24 02:00:00:00:00          | 02:00:00:00:00
            BR C 10.0.0.2/24 02:00:00:00:00:00:01    | 02:00:00:00:00:00:01
            BR C 10.0.0.2/24 02-00-00-00-00-01       | 02-00-00-00-00-01
            BR C 10.0.0.2/24 0g:00:00:00:00:01       | 0g:00:00:00:00:01
            BR C 10.0.0.2/24 @0                      | 0
            BR C 10.0.0.2/24 @4095                   | 4095
            BR C 10.0.0.2/24 @vlan                   | vlan
            BR C 10.0.0.2/24 @1.5                    | 1.5
            BR C 10.0.0.2/24 02:00:00:00:00:01@99999 | 99999
            BR C 10.0.0.070/24                       | 10.0.0.070
            BR C 10.0.0.2/024                        | 024
            BR C 10.0.0.2/24@10.0.0.01               | 10.0.0.01
            BR C 10.0.0.2/24 @0100                   | 0100
            BR C 10.0.0.2/24 @100@200x               | 100@200x
            -i eth/1 BR C 10.0.0.2/24                | eth/1
            -i abcdefghijklmnop BR C 10.0.0.2/24     | abcdefghijklmnop
            -i . BR C 10.0.0.2/24                    | .
            -i .. BR C 10.0.0.2/24                   | ..
            -i eth:1 BR C 10.0.0.2/24                | eth:1
            -l a/b BR C 10.0.0.2/24                  | a/b
            -l 0123456789abcdef BR C 10.0.0.2/24     | 0123456789abcdef
            -a 5 BR C 10.0.0.2/24                    | 5
            -a ipx BR C 10.0.0.2/24                  | ipx
            -a 6 BR C 10.0.0.2/24                    | 10.0.0.2/24
            -a inet BR C fd00::2/64                  | fd00::2/64
            mac:zz:00:00:00:00:00 C 10.0.0.2/24      | zz:00:00:00:00:00
            mac:02:00:00:00:00 C 10.0.0.2/24         | 02:00:00:00:00
            br0123456789abcdef C 10.0.0.2/24         | br0123456789abcdef
            BR C 10.0.0.2/24 02:00:00:00:00:01 extra | extra
            BR nosuchguest-xyz 10.0.0.2/24           | nosuchguest-xyz
            """)
    void badValueChangesNothing(String line, String named) {
        String before = state();
        List<String> args = new ArrayList<>();
        for (String word : line.trim().split(" +")) {
            args.add(word.replace("BR", bridge).replace("C", word.equals("C") ? guest : "C"));
        }
        Sh.Result r = Pipework.run(args.toArray(String[]::new));
        assertEquals(1, r.code(), r.describe());
        assertTrue(r.err().contains(named), "the message names " + named + ": " + r.err());
        assertEquals(before, state(), "nothing changed");
        assertTrue(IpJson.link(null, bridge).isEmpty(), "no bridge was created");
    }

    @Test
    void containerInterfaceAlreadyTakenLeavesNothing() {
        try (TestContainers own = new TestContainers(); HostCleanup clean = new HostCleanup()) {
            String c = own.start("taken");
            int p = own.pid(c);
            String br = clean.bridge("brtk" + HostCleanup.uniqueSuffix());
            clean.link("veth1pl" + p);
            Sh.ok("nsenter", "--net=/proc/" + p + "/ns/net", "ip", "link", "add", "eth1", "type", "veth", "peer", "name", "x1");
            String before = Json.write(IpJson.ip(p, "addr", "show"));
            Sh.Result r = Pipework.run(br, c, "10.81.0.2/24");
            assertNotEquals(0, r.code());
            assertTrue(r.err().contains("failed to rename \"veth1pg" + p + "\" to \"eth1\""), r.err());
            assertEquals(before, Json.write(IpJson.ip(p, "addr", "show")));
            assertTrue(IpJson.link(null, br).isEmpty(), "the bridge this run made is gone");
            assertTrue(IpJson.link(null, "veth1pl" + p).isEmpty(), "no veth left");
        }
    }

    @Test
    void ipv6AddressInAContainerWithoutIpv6LeavesNothing() {
        try (TestContainers own = new TestContainers(); HostCleanup clean = new HostCleanup()) {
            String c = own.start("noipv6", "--sysctl", "net.ipv6.conf.all.disable_ipv6=1",
                    "--sysctl", "net.ipv6.conf.default.disable_ipv6=1");
            int p = own.pid(c);
            String br = clean.createBridge("brv6" + HostCleanup.uniqueSuffix());
            clean.link("veth1pl" + p);
            String before = Json.write(IpJson.ip(p, "link", "show"));
            Sh.Result r = Pipework.run(br, c, "fd00:82::2/64");
            assertNotEquals(0, r.code());
            assertTrue(r.err().contains("failed to add address fd00:82::2/64"), r.err());
            assertEquals(before, Json.write(IpJson.ip(p, "link", "show")));
            assertTrue(IpJson.link(null, "veth1pl" + p).isEmpty(), "no veth left");
            assertEquals("[]", Json.write(IpJson.ip(null, "link", "show", "master", br)), "no port left on the bridge");
        }
    }

    @Test
    void ovsPortNameOnAnotherBridgeLeavesNothing() {
        Prerequisites.requireOvs();
        try (TestContainers own = new TestContainers(); HostCleanup clean = new HostCleanup()) {
            String c = own.start("ovsdup");
            int p = own.pid(c);
            String suffix = HostCleanup.uniqueSuffix();
            String other = clean.createOvsBridge("ovsot" + suffix);
            String mine = clean.ovsBridge("ovsmi" + suffix);
            String port = "pdup" + suffix;
            clean.link(port);
            // A port record with no link behind it, on another bridge.
            Sh.ok("ovs-vsctl", "add-port", other, port);
            Sh.Result r = Pipework.run(mine, "-l", port, c, "10.83.0.2/24");
            assertNotEquals(0, r.code());
            assertTrue(r.err().contains("failed to add port \"" + port + "\""), r.err());
            assertTrue(IpJson.link(null, port).isEmpty(), "no veth left");
            assertNotEquals(0, Sh.run("ovs-vsctl", "br-exists", mine).code(), "the bridge this run made is gone");
            assertEquals(port, Sh.ok("ovs-vsctl", "list-ports", other).trimmed(), "the other bridge keeps its port");
            assertEquals("[{\"ifindex\":1,\"ifname\":\"lo\"}]".length() > 0, true);
            assertEquals(1, IpJson.links(p).size(), "only lo in the container");
        }
    }

    @Test
    void namesWithShellCharactersAreData() {
        try (HostCleanup clean = new HostCleanup()) {
            String odd = "x;$(id)'" + HostCleanup.uniqueSuffix().substring(0, 3);
            clean.link(odd);
            String br = clean.bridge("brsh" + HostCleanup.uniqueSuffix());
            Sh.Result r = Pipework.run(br, "-l", odd, guest, "10.84.0.2/24");
            assertEquals(0, r.code(), r.describe());
            assertEquals(br, IpJson.master(odd).orElse(""));
            Sh.ok("ip", "link", "del", odd);
        }
    }

    /** 32 attaches started at once on a bridge that does not exist yet: all succeed, 32 ports. */
    @Test
    void parallelAttachesToANewBridge() throws Exception {
        try (TestContainers own = new TestContainers(); HostCleanup clean = new HostCleanup()) {
            String br = clean.bridge("brpl" + HostCleanup.uniqueSuffix());
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                names.add(own.start("par" + i));
                clean.link("veth1pl" + own.pid(names.get(i)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(32);
            List<Future<Sh.Result>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String c = names.get(i);
                String address = "10.85.0." + (i + 2) + "/24";
                // Each holder gets the lock's full wait; 32 JVMs on a loaded 2-core host can hold one
                // longer than the 30 s default, and this test is about the order, not the bound.
                results.add(pool.submit(() -> Pipework.run(List.of(br, c, address), Duration.ofMinutes(10),
                        Map.of("JAVA_TOOL_OPTIONS", "-Dpipework.lock.wait=600"))));
            }
            for (Future<Sh.Result> f : results) {
                Sh.Result r = f.get();
                assertEquals(0, r.code(), r.describe());
            }
            pool.shutdown();
            List<Object> ports = Json.array(IpJson.ip(null, "link", "show", "master", br));
            assertEquals(32, ports.size());
            assertTrue(own.ping(names.get(0), "10.85.0.33"), "first reaches last");
            assertTrue(own.ping(names.get(31), "10.85.0.2"), "last reaches first");
        }
    }
}
