package dev.pipework.it;

import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Reach;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.StatusTable;
import dev.pipework.it.support.TestContainers;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forms beyond the original that its users asked for: several addresses on one interface (dual
 * stack), {@code --mtu}, {@code --macvlan-mode}, and the host shim. A veth pair stands in for a NIC,
 * its peer in a "LAN" namespace.
 */
class FormsIT {

    // ------------------------------------------------------------------ dual stack

    @Test
    void dualStackOnALinuxBridge() {
        Prerequisites.requireDocker();
        String br = "br" + HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); TestContainers containers = new TestContainers()) {
            host.bridge(br);
            dualStack(host, containers, List.of(br), "10.170.0", "fd00:170::");
        }
    }

    @Test
    void dualStackOnOpenVswitchWithAVlan() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        String ovs = "ovs" + HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); TestContainers containers = new TestContainers()) {
            host.ovsBridge(ovs);
            dualStack(host, containers, List.of(ovs), "10.171.0", "fd00:171::");
            assertTrue(Ovs.ports(ovs).size() >= 2, "ports of " + ovs + ": " + Ovs.ports(ovs));
        }
    }

    /** Guest a gets both families and both gateways in one call; guest b, on the same bridge, reaches a over each. */
    private static void dualStack(HostCleanup host, TestContainers containers, List<String> bridge, String v4,
                                  String v6) {
        String a = startWithIpv6(containers, "ds-a");
        String b = startWithIpv6(containers, "ds-b");
        int pidA = containers.pid(a);
        int pidB = containers.pid(b);
        host.link("veth1pl" + pidA);
        host.link("veth1pl" + pidB);

        Pipework.ok(bridge.get(0), a, v4 + ".2/24@" + v4 + ".1," + v6 + "2/64@" + v6 + "1");
        Pipework.ok(bridge.get(0), b, v4 + ".3/24," + v6 + "3/64");

        assertTrue(IpJson.addresses(pidA, "eth1").contains(v4 + ".2/24"), "addresses of a: "
                + IpJson.addresses(pidA, "eth1"));
        assertTrue(ipv6(pidA).contains(v6 + "2/64"), "IPv6 addresses of a: " + ipv6(pidA));
        assertEquals(Optional.of(v4 + ".1"), IpJson.defaultGateway(pidA));
        List<Map<String, Object>> defaults6 = IpJson.routes6(pidA).stream()
                .filter(r -> "default".equals(r.get("dst"))).toList();
        assertEquals(1, defaults6.size(), "IPv6 default routes: " + defaults6);
        assertEquals(v6 + "1", defaults6.get(0).get("gateway"));
        assertEquals("eth1", defaults6.get(0).get("dev"));

        assertTrue(Reach.eventually(containers, b, v4 + ".2"), b + " does not reach " + a + " over IPv4");
        assertTrue(Reach.eventually(containers, b, v6 + "2"), b + " does not reach " + a + " over IPv6");
        assertTrue(Reach.eventually(containers, a, v6 + "3"), a + " does not reach " + b + " over IPv6");
    }

    /** Every address of a family pair is added, or none: a refused list changes nothing. */
    @Test
    void aRefusedListChangesNothing() {
        Prerequisites.requireDocker();
        String br = "br" + HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); TestContainers containers = new TestContainers()) {
            host.createBridge(br);
            String c = containers.start("ds-bad");
            int pid = containers.pid(c);
            host.link("veth1pl" + pid);
            Sh.Result r = Pipework.run(br, c, "10.172.0.2/24@10.172.0.1,10.172.1.2/24@10.172.1.1");
            assertEquals(1, r.code(), r.describe());
            assertTrue(r.err().contains("at most one gateway per family"), r.describe());
            assertEquals(1, r.err().lines().count(), r.describe());
            assertEquals(List.of(), hostLinksMentioning(pid), "links made for the refused attach");
            assertEquals(List.of(), IpJson.links(null).stream().filter(l -> br.equals(l.get("master"))).toList(),
                    "ports of " + br);
            assertEquals(Optional.empty(), IpJson.link(pid, "eth1"));
        }
    }

    // ------------------------------------------------------------------ --mtu

    @Test
    void mtuOnBothEndsAndOnTheWire() {
        Prerequisites.requireDocker();
        String br = "br" + HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); TestContainers containers = new TestContainers()) {
            host.bridge(br);
            String a = containers.start("mtu-a");
            String b = containers.start("mtu-b");
            int pidA = containers.pid(a);
            int pidB = containers.pid(b);
            host.link("veth1pl" + pidA);
            host.link("veth1pl" + pidB);

            Pipework.ok("--mtu", "1400", br, a, "10.173.0.2/24");
            Pipework.ok("--mtu", "1400", br, b, "10.173.0.3/24");

            assertEquals("1400", IpJson.field(IpJson.link(pidA, "eth1").orElseThrow(), "mtu"));
            assertEquals("1400", IpJson.field(IpJson.link(null, "veth1pl" + pidA).orElseThrow(), "mtu"));
            assertTrue(Reach.eventually(containers, a, "10.173.0.3"));
            // 1372 bytes of payload + 8 (ICMP) + 20 (IPv4) = 1400: passes with DF set; one more does not.
            assertEquals(0, dontFragmentPing(pidA, 1372, "10.173.0.3").code(), "a 1400-byte packet must pass");
            assertTrue(dontFragmentPing(pidA, 1373, "10.173.0.3").code() != 0, "a 1401-byte packet with DF passed");
        }
    }

    /** The host's iputils ping (it has -M do), entered into the guest's network namespace only. */
    private static Sh.Result dontFragmentPing(int pid, int payload, String ip) {
        return Sh.run(List.of("nsenter", "--net=/proc/" + pid + "/ns/net", "ping", "-M", "do", "-c", "1", "-W", "2",
                "-s", Integer.toString(payload), ip), Sh.DEFAULT_TIMEOUT);
    }

    @Test
    void mtuAboveTheParentsIsRefusedWithNoChange() {
        Prerequisites.requireDocker();
        String s = HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns();
             TestContainers containers = new TestContainers()) {
            Lan lan = lan(netns, s, "10.174.0.254/24");
            String c = containers.start("mtu-big");
            int pid = containers.pid(c);
            host.link("ph" + pid + "eth1");
            Map<String, Object> nicBefore = IpJson.link(null, lan.nic()).orElseThrow();
            Sh.Result r = Pipework.run("--mtu", "9000", lan.nic(), c, "10.174.0.10/24");
            assertEquals(1, r.code(), r.describe());
            assertEquals("pipework: MTU \"9000\" is above the MTU 1500 of \"" + lan.nic() + "\": an interface on it"
                    + " cannot be larger than its parent", r.err().strip());
            assertEquals(List.of(), hostLinksMentioning(pid), "links made for the refused attach");
            assertEquals(nicBefore, IpJson.link(null, lan.nic()).orElseThrow());
            assertEquals(Optional.empty(), IpJson.link(pid, "eth1"));
        }
    }

    // ------------------------------------------------------------------ --macvlan-mode

    @Test
    void privateMacvlansDoNotReachEachOtherBridgeOnesDo() {
        Prerequisites.requireDocker();
        String s = HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns();
             TestContainers containers = new TestContainers()) {
            Lan lan = lan(netns, s, "10.175.0.254/24");
            String a = containers.start("mv-a");
            String b = containers.start("mv-b");
            host.link("ph" + containers.pid(a) + "eth1");
            host.link("ph" + containers.pid(b) + "eth1");

            Pipework.ok("--macvlan-mode", "private", lan.nic(), a, "10.175.0.10/24");
            Pipework.ok("--macvlan-mode", "private", lan.nic(), b, "10.175.0.11/24");
            Map<String, Object> eth1 = IpJson.link(containers.pid(a), "eth1").orElseThrow();
            assertEquals("private", IpJson.field(eth1, "linkinfo", "info_data", "mode"), Json.write(eth1));
            assertTrue(Reach.eventually(containers, a, "10.175.0.254"), "private: " + a + " does not reach the LAN");
            assertTrue(Reach.eventually(containers, b, "10.175.0.254"), "private: " + b + " does not reach the LAN");
            for (int i = 0; i < 3; i++) {
                assertFalse(Reach.once(containers, a, "10.175.0.11"), "private: " + a + " reaches " + b);
            }

            Pipework.ok("del", a);
            Pipework.ok("del", b);
            Pipework.ok(lan.nic(), a, "10.175.0.10/24");
            Pipework.ok(lan.nic(), b, "10.175.0.11/24");
            assertTrue(Reach.eventually(containers, a, "10.175.0.11"), "bridge: " + a + " does not reach " + b);
        }
    }

    // ------------------------------------------------------------------ shim

    @Test
    void theShimLetsTheHostReachItsMacvlanGuests() {
        Prerequisites.requireDocker();
        String s = HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns();
             TestContainers containers = new TestContainers()) {
            Lan lan = lan(netns, s, "10.176.0.254/24");
            String c = containers.start("shim-g");
            host.link("ph" + containers.pid(c) + "eth1");
            String shim = host.link("shim-" + lan.nic());
            Pipework.ok(lan.nic(), c, "10.176.0.10/24");
            // The host's way to the guests' subnet is the NIC itself (a fallback route, so that no
            // packet of this test leaves the machine); the kernel passes nothing from a macvlan's
            // parent to the macvlan.
            Sh.ok("ip", "route", "add", "10.176.0.0/24", "dev", lan.nic(), "metric", "500");
            assertFalse(hostPing("10.176.0.10"), "the host reaches the macvlan guest without a shim");

            Sh.Result added = Pipework.ok("shim", lan.nic(), "10.176.0.250/24");
            assertEquals("", added.err(), added.describe());
            Map<String, Object> link = IpJson.link(null, shim).orElseThrow();
            assertEquals(Optional.of("macvlan"), IpJson.kind(link));
            assertEquals("bridge", IpJson.field(link, "linkinfo", "info_data", "mode"));
            assertTrue(IpJson.addresses(null, shim).contains("10.176.0.250/24"), "addresses: "
                    + IpJson.addresses(null, shim));
            assertTrue(retry(() -> hostPing("10.176.0.10")), "the host does not reach the macvlan guest through the shim");

            // Asked again as it is: kept, and said so.
            Sh.Result again = Pipework.ok("shim", lan.nic(), "10.176.0.250/24");
            assertTrue(again.err().contains("already in place"), again.describe());

            List<String> row = StatusTable.rows(Pipework.ok("status")).stream()
                    .filter(r -> r.get(3).equals(shim)).findFirst().orElseThrow();
            assertEquals(List.of("host", "shim"), List.of(row.get(0), row.get(9)));
            assertEquals(lan.nic(), row.get(7));

            Pipework.ok("del", "shim", lan.nic());
            assertEquals(Optional.empty(), IpJson.link(null, shim));
            assertFalse(hostPing("10.176.0.10"));
            Sh.Result none = Pipework.ok("del", "shim", lan.nic());
            assertTrue(none.err().contains("nothing to remove"), none.describe());
        }
    }

    // ------------------------------------------------------------------ helpers

    private record Lan(String ns, String nic) {
    }

    /** {@code nic<s>} on the host (up, no address), its peer in a new namespace holding {@code lanAddress}. */
    private static Lan lan(TestNetns netns, String s, String lanAddress) {
        String ns = netns.create("lan");
        String nic = "nic" + s;
        String end = "lan" + s;
        netns.veth(nic, end);
        Sh.ok("ip", "link", "set", end, "netns", ns);
        netns.addAddress(ns, end, lanAddress);
        Sh.ok("ip", "-n", ns, "link", "set", end, "up");
        Sh.ok("ip", "link", "set", nic, "up");
        return new Lan(ns, nic);
    }

    private static String startWithIpv6(TestContainers containers, String label) {
        // Docker turns IPv6 off in containers whose network does not enable it, --net=none included.
        return containers.start(label, "--sysctl", "net.ipv6.conf.all.disable_ipv6=0",
                "--sysctl", "net.ipv6.conf.default.disable_ipv6=0");
    }

    private static List<String> ipv6(int pid) {
        List<String> addresses = new ArrayList<>();
        for (Object o : Json.array(IpJson.ip(pid, "-6", "addr", "show", "dev", "eth1"))) {
            for (Object a : Json.array(Json.object(o).get("addr_info"))) {
                Map<String, Object> info = Json.object(a);
                addresses.add(info.get("local") + "/" + info.get("prefixlen"));
            }
        }
        return addresses;
    }

    private static boolean hostPing(String ip) {
        return Sh.run("ping", "-c", "1", "-W", "1", ip).code() == 0;
    }

    private static boolean retry(java.util.function.BooleanSupplier attempt) {
        for (int i = 0; i < 8; i++) {
            if (attempt.getAsBoolean()) {
                return true;
            }
        }
        return false;
    }

    /** Host links whose name holds the guest's PID: what an attach to it would have made. */
    private static List<String> hostLinksMentioning(int pid) {
        return IpJson.links(null).stream().map(l -> String.valueOf(l.get("ifname")))
                .filter(n -> n.contains(Integer.toString(pid))).toList();
    }
}
