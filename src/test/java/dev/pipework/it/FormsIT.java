package dev.pipework.it;

import dev.pipework.it.support.Guest;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Lan;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Reach;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.StatusTable;
import dev.pipework.json.Json;
import org.junit.jupiter.api.Test;

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
        try (Rig rig = new Rig()) {
            dualStack(rig, rig.bridge(), "10.170.0", "fd00:170::");
        }
    }

    @Test
    void dualStackOnOpenVswitchWithAVlan() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        try (Rig rig = new Rig()) {
            String ovs = rig.ovsBridge();
            dualStack(rig, ovs, "10.171.0", "fd00:171::");
            assertTrue(Ovs.ports(ovs).size() >= 2, "ports of " + ovs + ": " + Ovs.ports(ovs));
        }
    }

    /** Guest a gets both families and both gateways in one call; guest b, on the same bridge, reaches a over each. */
    private static void dualStack(Rig rig, String bridge, String v4, String v6) {
        Guest a = rig.containerWithIpv6("ds-a");
        Guest b = rig.containerWithIpv6("ds-b");
        int pidA = a.pid();

        Pipework.ok(bridge, a.name(), v4 + ".2/24@" + v4 + ".1," + v6 + "2/64@" + v6 + "1");
        Pipework.ok(bridge, b.name(), v4 + ".3/24," + v6 + "3/64");

        assertTrue(IpJson.addresses(pidA, "eth1").contains(v4 + ".2/24"), "addresses of a: "
                + IpJson.addresses(pidA, "eth1"));
        assertTrue(IpJson.ipv6(pidA, "eth1").contains(v6 + "2/64"), "IPv6 addresses of a: "
                + IpJson.ipv6(pidA, "eth1"));
        assertEquals(Optional.of(v4 + ".1"), IpJson.defaultGateway(pidA));
        List<Map<String, Object>> defaults6 = IpJson.routes6(pidA).stream()
                .filter(r -> "default".equals(r.get("dst"))).toList();
        assertEquals(1, defaults6.size(), "IPv6 default routes: " + defaults6);
        assertEquals(v6 + "1", defaults6.get(0).get("gateway"));
        assertEquals("eth1", defaults6.get(0).get("dev"));

        assertTrue(Reach.eventually(b, v4 + ".2"), b + " does not reach " + a + " over IPv4");
        assertTrue(Reach.eventually(b, v6 + "2"), b + " does not reach " + a + " over IPv6");
        assertTrue(Reach.eventually(a, v6 + "3"), a + " does not reach " + b + " over IPv6");
    }

    /** Every address of a family pair is added, or none: a refused list changes nothing. */
    @Test
    void aRefusedListChangesNothing() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.host().createBridge("br" + rig.suffix());
            Guest c = rig.container("ds-bad");
            int pid = c.pid();
            Sh.Result r = Pipework.run(br, c.name(), "10.172.0.2/24@10.172.0.1,10.172.1.2/24@10.172.1.1");
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
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest a = rig.container("mtu-a");
            Guest b = rig.container("mtu-b");
            int pidA = a.pid();

            Pipework.ok("--mtu", "1400", br, a.name(), "10.173.0.2/24");
            Pipework.ok("--mtu", "1400", br, b.name(), "10.173.0.3/24");

            assertEquals("1400", IpJson.field(IpJson.link(pidA, "eth1").orElseThrow(), "mtu"));
            assertEquals("1400", IpJson.field(IpJson.link(null, "veth1pl" + pidA).orElseThrow(), "mtu"));
            assertTrue(Reach.eventually(a, "10.173.0.3"));
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
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig, "10.174.0.254/24");
            Guest c = rig.container("mtu-big");
            int pid = c.pid();
            rig.host().link("ph" + pid + "eth1");
            Map<String, Object> nicBefore = IpJson.link(null, lan.nic()).orElseThrow();
            Sh.Result r = Pipework.run("--mtu", "9000", lan.nic(), c.name(), "10.174.0.10/24");
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
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig, "10.175.0.254/24");
            Guest a = rig.container("mv-a");
            Guest b = rig.container("mv-b");
            rig.host().link("ph" + a.pid() + "eth1");
            rig.host().link("ph" + b.pid() + "eth1");

            Pipework.ok("--macvlan-mode", "private", lan.nic(), a.name(), "10.175.0.10/24");
            Pipework.ok("--macvlan-mode", "private", lan.nic(), b.name(), "10.175.0.11/24");
            Map<String, Object> eth1 = IpJson.link(a.pid(), "eth1").orElseThrow();
            assertEquals("private", IpJson.field(eth1, "linkinfo", "info_data", "mode"), Json.write(eth1));
            assertTrue(Reach.eventually(a, "10.175.0.254"), "private: " + a + " does not reach the LAN");
            assertTrue(Reach.eventually(b, "10.175.0.254"), "private: " + b + " does not reach the LAN");
            for (int i = 0; i < 3; i++) {
                assertFalse(Reach.once(a, "10.175.0.11"), "private: " + a + " reaches " + b);
            }

            Pipework.ok("del", a.name());
            Pipework.ok("del", b.name());
            Pipework.ok(lan.nic(), a.name(), "10.175.0.10/24");
            Pipework.ok(lan.nic(), b.name(), "10.175.0.11/24");
            assertTrue(Reach.eventually(a, "10.175.0.11"), "bridge: " + a + " does not reach " + b);
        }
    }

    // ------------------------------------------------------------------ shim

    @Test
    void theShimLetsTheHostReachItsMacvlanGuests() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig, "10.176.0.254/24");
            Guest c = rig.container("shim-g");
            rig.host().link("ph" + c.pid() + "eth1");
            String shim = rig.host().link("shim-" + lan.nic());
            Pipework.ok(lan.nic(), c.name(), "10.176.0.10/24");
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

            List<String> row = StatusTable.row(StatusTable.of("status"), shim);
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
