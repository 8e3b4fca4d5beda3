package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.pipework.it.support.DhcpServer;
import dev.pipework.it.support.Guest;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Lan;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Reach;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.StatusTable;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;

/**
 * Physical interfaces, dummy, IPoIB, the DHCP clients and {@code --wait}, for real.
 *
 * <p>The "NIC" is the host end {@code nic<suffix>} of a veth pair whose other end sits in a
 * namespace standing in for the LAN (10.160.0.254/24, MTU 1400). The DHCP server is dnsmasq in
 * a namespace whose veth is a port of a Linux bridge {@code br<suffix>}, serving
 * 10.161.0.100-150. Forms the kernel here cannot do (802.1Q, dummy, IPoIB) have a real test that
 * skips naming the missing feature, and dry runs that run everywhere.
 */
class PhysicalAndDhcpIT {

    private static final int LAN_MTU = Lan.MTU;
    private static final String LAN_GW = Lan.GATEWAY;
    /** An address the LAN namespace holds on its loopback: reachable only through the gateway. */
    private static final String BEYOND_LAN = "10.160.9.1";
    /** {@code U:myhost.foo.com}: 02 and the first five bytes of MD5("myhost.foo.com\n"). */
    private static final String UNIQUE_MAC = "02:72:6c:cd:9b:8d";

    // ------------------------------------------------------------------ 1. macvlan on a NIC

    /**
     * {@code pipework nic<s> <c> 10.160.0.10/24}: a macvlan in bridge mode with the NIC's MTU, no
     * {@code ph<pid>eth1} left on the host; the LAN and a second container on the same NIC answer;
     * {@code mac:<nic's MAC>} selects the same NIC; status names the NIC; del removes each.
     */
    @Test
    void macvlanOnANicReachesTheLanAndAnotherContainer() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            String nicBefore = nicState(lan.nic());
            String nicMac = IpJson.field(hostLink(lan.nic()), "address");
            String nicIndex = IpJson.field(hostLink(lan.nic()), "ifindex");
            Guest c1 = rig.container("mv1");
            Guest c2 = rig.container("mv2");
            int pid1 = c1.pid();
            int pid2 = c2.pid();
            for (int pid : List.of(pid1, pid2)) {
                rig.host().link("ph" + pid + "eth1");
                rig.host().link("ph" + pid + "eth2");
            }

            Sh.Result r = Pipework.ok(lan.nic(), c1.name(), "10.160.0.10/24");
            assertEquals("", r.out(), r.describe());

            Map<String, Object> eth1 = guestLink(pid1, "eth1");
            assertEquals(Optional.of("macvlan"), IpJson.kind(eth1), Json.write(eth1));
            assertEquals("bridge", IpJson.field(eth1, "linkinfo", "info_data", "mode"), Json.write(eth1));
            assertEquals(Integer.toString(LAN_MTU), IpJson.field(eth1, "mtu"), "MTU of eth1 is the NIC's");
            assertEquals(nicIndex, IpJson.field(eth1, "link_index"), "the macvlan's lower device is the NIC");
            assertEquals("pipework macvlan " + lan.nic(), IpJson.field(eth1, "ifalias"));
            assertEquals("UP", IpJson.field(eth1, "operstate"));
            assertEquals(List.of("10.160.0.10/24"), IpJson.ipv4(pid1, "eth1"));
            assertEquals(List.of(), hostLinksStartingWith("ph" + pid1), "the macvlan's host-side name is left");
            assertTrue(Reach.eventually(c1, LAN_GW), c1 + " does not reach the LAN end " + LAN_GW);

            // A second container on the same NIC: macvlan bridge mode switches between the two.
            Pipework.ok(lan.nic(), c2.name(), "10.160.0.11/24");
            assertEquals(Optional.of("macvlan"), IpJson.kind(guestLink(pid2, "eth1")));
            assertTrue(Reach.eventually(c2, "10.160.0.10"), c2 + " does not reach " + c1);
            assertTrue(Reach.eventually(c1, "10.160.0.11"), c1 + " does not reach " + c2);

            // mac:<the NIC's MAC> names the same NIC.
            Pipework.ok("-i", "eth2", "mac:" + nicMac, c1.name(), "10.160.0.12/24");
            Map<String, Object> eth2 = guestLink(pid1, "eth2");
            assertEquals(Optional.of("macvlan"), IpJson.kind(eth2));
            assertEquals(nicIndex, IpJson.field(eth2, "link_index"), "mac:" + nicMac + " selected another link");
            assertEquals("pipework macvlan " + lan.nic(), IpJson.field(eth2, "ifalias"));
            assertEquals(List.of("10.160.0.12/24"), IpJson.ipv4(pid1, "eth2"));
            assertEquals(List.of(), hostLinksStartingWith("ph" + pid1));

            // status: kind macvlan, the NIC as host interface, no bridge.
            List<List<String>> rows = statusRows(c1.name());
            assertEquals(2, rows.size(), rows.toString());
            List<String> row1 = StatusTable.row(rows, "eth1");
            assertEquals(List.of(c1.name(), Integer.toString(pid1), "10.160.0.10/24", IpJson.field(eth1, "address"),
                    Integer.toString(LAN_MTU), lan.nic(), "-", "macvlan", "-"),
                    List.of(row1.get(0), row1.get(2), row1.get(4), row1.get(5), row1.get(6), row1.get(7), row1.get(8),
                            row1.get(9), row1.get(10)));
            List<String> row2 = StatusTable.row(rows, "eth2");
            assertEquals(List.of(lan.nic(), "macvlan"), List.of(row2.get(7), row2.get(9)));
            Map<String, Object> json = attachmentJson(c1.name(), "eth1");
            assertEquals(lan.nic(), Json.at(json, "host", "interface"));
            assertEquals("macvlan", Json.at(json, "host", "kind"));
            assertNull(Json.at(json, "host", "bridge"));

            // del: eth1, then eth2; the other container keeps its link; once it has gone too, the NIC is as it was.
            Pipework.ok("del", c1.name());
            assertEquals(Set.of("lo", "eth2"), IpJson.linkNames(pid1));
            Pipework.ok("del", "-i", "eth2", c1.name());
            assertEquals(Set.of("lo"), IpJson.linkNames(pid1), "del left links in " + c1);
            assertTrue(statusRows(c1.name()).isEmpty(), "status still shows " + c1);
            assertTrue(Reach.eventually(c2, LAN_GW), c2 + " lost the LAN after del on " + c1);
            Pipework.ok("del", c2.name());
            assertEquals(Set.of("lo"), IpJson.linkNames(pid2), "del left links in " + c2);
            assertEquals(nicBefore, nicState(lan.nic()), "the NIC is not as it was before the attaches");
            assertEquals(List.of(), hostLinksStartingWith("ph" + pid1));
            assertEquals(List.of(), hostLinksStartingWith("ph" + pid2));
        }
    }

    /** {@code 10.160.0.10/24@10.160.0.254}: the default route goes through the LAN end, and what lies beyond it answers. */
    @Test
    void macvlanWithAGatewayRoutesBeyondTheLan() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            rig.netns().addAddress(lan.ns(), "lo", BEYOND_LAN + "/32");
            Guest gw = rig.container("mvgw");
            Guest plain = rig.container("mvplain");
            rig.host().link("ph" + gw.pid() + "eth1");
            rig.host().link("ph" + plain.pid() + "eth1");

            Pipework.ok(lan.nic(), gw.name(), "10.160.0.20/24@" + LAN_GW);
            Pipework.ok(lan.nic(), plain.name(), "10.160.0.21/24");

            int pid = gw.pid();
            assertEquals(Optional.of(LAN_GW), IpJson.defaultGateway(pid));
            Map<String, Object> route = IpJson.routes(pid).stream().filter(x -> "default".equals(x.get("dst")))
                    .findFirst().orElseThrow();
            assertEquals("eth1", route.get("dev"));
            assertEquals(Optional.of("macvlan"), IpJson.kind(guestLink(pid, "eth1")));
            assertTrue(Reach.eventually(gw, BEYOND_LAN), gw + " does not reach " + BEYOND_LAN
                    + " through " + LAN_GW);
            assertTrue(Reach.eventually(plain, LAN_GW));
            assertFalse(Reach.once(plain, BEYOND_LAN), "without a gateway " + BEYOND_LAN
                    + " must be unreachable");
        }
    }

    // ------------------------------------------------------------------ 2. --direct-phys

    /**
     * {@code --direct-phys nic<s>}: the NIC itself leaves the host and is the container's eth1
     * (or the {@code -i} name, with a MAC given); del gives it back under its name and MAC.
     */
    @Test
    void directPhysMovesTheNicIntoTheContainerAndDelGivesItBack() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            String mac = IpJson.field(hostLink(lan.nic()), "address");
            Guest c = rig.container("direct");
            int pid = c.pid();

            Pipework.ok("--direct-phys", lan.nic(), c.name(), "10.160.0.30/24");
            assertTrue(IpJson.link(null, lan.nic()).isEmpty(), lan.nic() + " is still on the host");
            Map<String, Object> eth1 = guestLink(pid, "eth1");
            assertEquals(Optional.of("veth"), IpJson.kind(eth1), "eth1 is the NIC itself: " + Json.write(eth1));
            assertEquals(mac, IpJson.field(eth1, "address"));
            assertEquals(Integer.toString(LAN_MTU), IpJson.field(eth1, "mtu"));
            assertEquals(List.of("10.160.0.30/24"), IpJson.ipv4(pid, "eth1"));
            assertEquals(Set.of("lo", "eth1"), IpJson.linkNames(pid));
            assertTrue(Reach.eventually(c, LAN_GW), "no ping to the LAN end over the moved NIC");
            List<String> row = StatusTable.row(statusRows(c.name()), "eth1");
            assertEquals(List.of(lan.nic(), "-", "direct"), row.subList(7, 10));

            Pipework.ok("del", c.name());
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
            Map<String, Object> back = hostLink(lan.nic());
            assertEquals(lan.nic(), back.get("ifname"));
            assertEquals(mac, IpJson.field(back, "address"));
            assertEquals(Integer.toString(LAN_MTU), IpJson.field(back, "mtu"));
            assertAliasCleared(back);

            // -i lan0 and a MAC of our own: del puts the NIC's own MAC back.
            Pipework.ok("--direct-phys", "-i", "lan0", lan.nic(), c.name(), "10.160.0.31/24", "02:0a:a0:00:00:1f");
            assertTrue(IpJson.link(null, lan.nic()).isEmpty(), lan.nic() + " is still on the host");
            Map<String, Object> lan0 = guestLink(pid, "lan0");
            assertEquals("02:0a:a0:00:00:1f", IpJson.field(lan0, "address"));
            assertEquals(List.of("10.160.0.31/24"), IpJson.ipv4(pid, "lan0"));
            assertEquals(Set.of("lo", "lan0"), IpJson.linkNames(pid));
            assertTrue(Reach.eventually(c, LAN_GW), "no ping to the LAN end over lan0");

            Pipework.ok("del", "-i", "lan0", c.name());
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
            back = hostLink(lan.nic());
            assertEquals(lan.nic(), back.get("ifname"));
            assertEquals(mac, IpJson.field(back, "address"), "del did not give the NIC its own MAC back");
            assertAliasCleared(back);
        }
    }

    /** {@code --direct-phys mac:<MAC>} selects the NIC by its MAC; an unknown MAC is refused with the original's words. */
    @Test
    void directPhysSelectedByMac() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            String mac = IpJson.field(hostLink(lan.nic()), "address");
            Guest c = rig.container("bymac");
            int pid = c.pid();

            Pipework.ok("--direct-phys", "mac:" + mac, "-i", "container0", c.name(), "0/0");
            assertTrue(IpJson.link(null, lan.nic()).isEmpty(), lan.nic() + " is still on the host");
            Map<String, Object> moved = guestLink(pid, "container0");
            assertEquals(mac, IpJson.field(moved, "address"));
            assertTrue(IpJson.flags(moved).contains("UP"), Json.write(moved));
            assertEquals(List.of(), IpJson.ipv4(pid, "container0"), "0/0 gives no address");
            List<String> row = StatusTable.row(statusRows(c.name()), "container0");
            assertEquals(List.of(lan.nic(), "direct"), List.of(row.get(7), row.get(9)));

            Pipework.ok("del", "-i", "container0", c.name());
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
            assertEquals(mac, IpJson.field(hostLink(lan.nic()), "address"));

            String unknown = unusedMac();
            Sh.Result r = Pipework.run("--direct-phys", "mac:" + unknown, "-i", "container0", c.name(), "0/0");
            assertEquals(1, r.code(), r.describe());
            assertEquals("Mac address " + unknown + " specified for interface but no host interface matched.",
                    r.err().strip(), r.describe());
            assertEquals("", r.out(), r.describe());
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
            assertTrue(IpJson.link(null, lan.nic()).isPresent());
        }
    }

    // ------------------------------------------------------------------ 3. failures leave nothing

    /** A macvlan for a container whose eth1 exists: the run fails, no {@code ph*} link stays, the NIC and the container are as before. */
    @Test
    void macvlanIntoATakenNameLeavesNothing() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            Guest c = rig.container("taken");
            int pid = c.pid();
            occupy(rig.host(), pid, "eth1", "pwo" + rig.suffix(), "pwq" + rig.suffix());
            rig.host().link("ph" + pid + "eth1");
            String nicBefore = nicState(lan.nic());
            String guestBefore = Json.write(IpJson.ip(pid, "-d", "addr", "show"));

            Sh.Result r = Pipework.run(lan.nic(), c.name(), "10.160.0.40/24");
            assertNotEquals(0, r.code(), r.describe());
            assertTrue(r.err().startsWith("pipework: failed to "), r.describe());
            assertEquals(List.of(), hostLinksStartingWith("ph" + pid), "a macvlan was left on the host: " + r.describe());
            assertTrue(IpJson.link(null, lan.nic()).isPresent(), "the NIC left the host");
            assertEquals(nicBefore, nicState(lan.nic()), "the NIC changed");
            assertEquals(guestBefore, Json.write(IpJson.ip(pid, "-d", "addr", "show")), "the container changed");
        }
    }

    /**
     * {@code --direct-phys} into a container whose target name is taken: the NIC comes back under
     * its name, with its MAC and alias, up if it was up and down if it was down.
     */
    @Test
    void directPhysIntoATakenNameGivesTheNicBack() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            Sh.ok("ip", "link", "set", lan.nic(), "alias", "uplink to the lan");
            Guest c = rig.container("dtaken");
            int pid = c.pid();
            occupy(rig.host(), pid, "eth1", "pwo" + rig.suffix(), "pwq" + rig.suffix());
            String guestBefore = Json.write(IpJson.ip(pid, "-d", "addr", "show"));

            for (boolean up : List.of(true, false)) {
                Sh.ok("ip", "link", "set", lan.nic(), up ? "up" : "down");
                Map<String, Object> before = hostLink(lan.nic());
                Sh.Result r = Pipework.run("--direct-phys", lan.nic(), c.name(), "10.160.0.41/24", "02:0a:a0:00:00:29");
                assertNotEquals(0, r.code(), r.describe());
                assertTrue(r.err().startsWith("pipework: failed to "), r.describe());
                Map<String, Object> after = IpJson.link(null, lan.nic())
                        .orElseThrow(() -> new AssertionError(lan.nic() + " did not come back: " + r.describe()));
                String when = " (NIC " + (up ? "up" : "down") + " before)";
                assertEquals(IpJson.field(before, "address"), IpJson.field(after, "address"), "MAC" + when);
                assertEquals(IpJson.field(before, "mtu"), IpJson.field(after, "mtu"), "MTU" + when);
                assertEquals("uplink to the lan", IpJson.field(after, "ifalias"), "alias" + when);
                assertEquals(up, IpJson.flags(after).contains("UP"), "flags " + IpJson.flags(after) + when);
                assertEquals(guestBefore, Json.write(IpJson.ip(pid, "-d", "addr", "show")), "the container changed" + when);
            }
            // Up again, the NIC still carries traffic to the LAN: a macvlan on it reaches the LAN end.
            Sh.ok("ip", "link", "set", lan.nic(), "up");
            Guest other = rig.container("dafter");
            rig.host().link("ph" + other.pid() + "eth1");
            Pipework.ok(lan.nic(), other.name(), "10.160.0.42/24");
            assertTrue(Reach.eventually(other, LAN_GW));
        }
    }

    // ------------------------------------------------------------------ 4. DHCP

    /**
     * {@code udhcpc}: a lease from the pool by the time the command returns, recorded by the server
     * with the hostname; the client stays to renew it (its pid file under /var/lib/pipework/dhcp,
     * none in /var/run), and del stops it.
     */
    @Test
    void udhcpcGetsALeaseAndStaysUntilDel() throws IOException {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("udhcpc");
        Prerequisites.requireCommand("dnsmasq");
        try (Rig rig = new Rig(); DhcpServer dhcp = DhcpServer.onBridge(rig)) {
            Guest c = rig.container("udhcpc");
            try {
                isolatedDhcpRun(c, dhcp.bridge(), "udhcpc");
                String address = leasedAddress(c.pid(), "eth1");
                String mac = IpJson.field(guestLink(c.pid(), "eth1"), "address");
                List<String> lease = dhcp.awaitLease(mac);
                assertEquals(address, lease.get(2), "leased address");
                assertEquals(c.name(), lease.get(3), "the hostname sent with -x hostname:");
                assertFalse(Files.exists(Path.of("/var/run/udhcpc." + c + ".pid")), "a pid file in /var/run");
                List<String> running = clientProcesses("udhcpc", c);
                assertEquals(1, running.size(), "udhcpc for " + c + ": " + running);
                assertTrue(running.get(0).contains(" -p /var/lib/pipework/dhcp/"), running.get(0));

                Pipework.ok("del", c.name());
                assertTrue(Poll.within(Duration.ofSeconds(3), Poll.TICK, () -> clientProcesses("udhcpc", c).isEmpty()),
                        "udhcpc still runs after del: " + clientProcesses("udhcpc", c));
            } finally {
                Pipework.run("del", c.name());
            }
        }
    }

    /**
     * {@code dhclient} (and {@code dhclient-f}, the same now): a lease, the client staying to renew
     * it with its files under /var/lib/pipework/dhcp (none in /var/run or /etc/dhclient); del stops it.
     */
    @Test
    void dhclientGetsALeaseAndStaysUntilDel() throws IOException {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("dhclient");
        Prerequisites.requireCommand("dnsmasq");
        try (Rig rig = new Rig(); DhcpServer dhcp = DhcpServer.onBridge(rig)) {
            for (String form : List.of("dhclient", "dhclient-f")) {
                Guest c = rig.container(form);
                try {
                    isolatedDhcpRun(c, dhcp.bridge(), form);
                    String address = leasedAddress(c.pid(), "eth1");
                    String mac = IpJson.field(guestLink(c.pid(), "eth1"), "address");
                    assertEquals(address, dhcp.awaitLease(mac).get(2));
                    assertFalse(Files.exists(Path.of("/var/run/dhclient." + c + ".pid")), "a pid file in /var/run");
                    assertFalse(Files.exists(Path.of("/etc/dhclient/dhclient." + c + ".leases")), "a lease file in /etc");
                    List<String> running = clientProcesses("dhclient", c);
                    assertEquals(1, running.size(), "dhclient for " + c + ": " + running);
                    assertTrue(running.get(0).contains(" -lf /var/lib/pipework/dhcp/"), running.get(0));

                    Pipework.ok("del", c.name());
                    assertEquals(Set.of("lo"), IpJson.linkNames(c.pid()));
                    assertTrue(Poll.within(Duration.ofSeconds(3), Poll.TICK,
                                    () -> clientProcesses("dhclient", c).isEmpty()),
                            "dhclient still runs after del: " + clientProcesses("dhclient", c));
                } finally {
                    Pipework.run("del", c.name());
                }
            }
        }
    }

    /** {@code dhcp}: busybox udhcpc in a helper container; the address is there when the command returns, and the helper is gone. */
    @Test
    void dhcpHelperContainerGetsALeaseAndGoes() throws IOException {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("dnsmasq");
        Prerequisites.requireImage("busybox");
        try (Rig rig = new Rig(); DhcpServer dhcp = DhcpServer.onBridge(rig)) {
            Guest c = rig.container("dhcp");
            String id = c.id();
            try {
                isolatedDhcpRun(c, dhcp.bridge(), "dhcp");
                String address = leasedAddress(c.pid(), "eth1");
                String mac = IpJson.field(guestLink(c.pid(), "eth1"), "address");
                assertEquals(address, dhcp.awaitLease(mac).get(2));
                // The helper ran with --rm: the engine removes it as it exits.
                assertTrue(Poll.within(Duration.ofSeconds(10), Poll.TICK, () -> helpers(id, true).isEmpty()),
                        "helper containers left: " + helpers(id, true));
            } finally {
                removeHelpers(id);
            }
        }
    }

    /**
     * {@code dhcp} where no DHCP server answers: after its 30 s, exit 1 with one line saying so,
     * the helper container removed and the run undone (no veth left, no eth1 in the container).
     */
    @Test
    void dhcpHelperWithNoServerFailsAndLeavesNothing() {
        Prerequisites.requireDocker();
        Prerequisites.requireImage("busybox");
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("nolease");
            String id = c.id();
            try {
                Sh.Result r = Pipework.run(br, c.name(), "dhcp");
                assertEquals(1, r.code(), r.describe());
                assertTrue(r.err().contains("no DHCP lease within 30 s"), r.describe());
                assertEquals(List.of(), helpers(id, true), "helper containers left");
                assertEquals(Optional.empty(), IpJson.link(null, "veth1pl" + c.pid()), "the veth is left");
                assertEquals(Optional.empty(), IpJson.link(c.pid(), "eth1"), "eth1 is left in the container");
            } finally {
                removeHelpers(id);
            }
        }
    }

    /** {@code dhcp:-f}: the helper stays running (and the lease comes); {@code del} removes it with eth1. */
    @Test
    void dhcpForegroundHelperStaysUntilDel() throws IOException {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("dnsmasq");
        Prerequisites.requireImage("busybox");
        try (Rig rig = new Rig(); DhcpServer dhcp = DhcpServer.onBridge(rig)) {
            Guest c = rig.container("dhcpf");
            int pid = c.pid();
            String id = c.id();
            try {
                isolatedDhcpRun(c, dhcp.bridge(), "dhcp:-f");
                List<String> running = helpers(id, false);
                assertEquals(1, running.size(), "running helpers for " + c + ": " + running);
                String labels = Sh.ok(List.of("docker", "inspect", "--format",
                        "{{index .Config.Labels \"dev.pipework.interface\"}} {{.State.Running}}", running.get(0)),
                        Duration.ofSeconds(30)).trimmed();
                assertEquals("eth1 true", labels);
                assertTrue(Poll.within(Duration.ofSeconds(30), Poll.TICK, () -> !IpJson.ipv4(pid, "eth1").isEmpty()),
                        "no lease on eth1 from the foreground helper");
                leasedAddress(pid, "eth1");
                assertEquals(running, helpers(id, false), "the foreground helper stopped");

                Pipework.ok("del", c.name());
                assertEquals(List.of(), helpers(id, true), "del left the helper");
                assertEquals(Set.of("lo"), IpJson.linkNames(pid));
                assertFalse(IpJson.hostLinkExists("veth1pl" + pid));
            } finally {
                removeHelpers(id);
            }
        }
    }

    /** A MAC with DHCP: {@code U:myhost.foo.com} is the interface's MAC, and the server's lease records it. */
    @Test
    void dhcpWithAMacDerivedFromText() throws IOException {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("udhcpc");
        Prerequisites.requireCommand("dnsmasq");
        try (Rig rig = new Rig(); DhcpServer dhcp = DhcpServer.onBridge(rig)) {
            Guest c = rig.container("dhcpmac");
            try {
                isolatedDhcpRun(c, dhcp.bridge(), "udhcpc", "U:myhost.foo.com");
                assertEquals(UNIQUE_MAC, IpJson.field(guestLink(c.pid(), "eth1"), "address"));
                String address = leasedAddress(c.pid(), "eth1");
                assertEquals(address, dhcp.awaitLease(UNIQUE_MAC).get(2));
            } finally {
                Pipework.run("del", c.name());
            }
        }
    }

    /**
     * DHCP through a macvlan on the NIC, the server on the LAN: {@code udhcpc U:myhost.foo.com}
     * gives the macvlan that MAC and a lease the server records for it.
     */
    @Test
    void udhcpcOverAMacvlanOnTheNic() throws IOException {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("udhcpc");
        Prerequisites.requireCommand("dnsmasq");
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            try (DhcpServer dhcp = DhcpServer.onLan(rig, lan)) {
                Guest c = rig.container("mvdhcp");
                int pid = c.pid();
                rig.host().link("ph" + pid + "eth1");

                try {
                    isolatedDhcpRun(c, lan.nic(), "udhcpc", "U:myhost.foo.com");
                    Map<String, Object> eth1 = guestLink(pid, "eth1");
                    assertEquals(Optional.of("macvlan"), IpJson.kind(eth1));
                    assertEquals(UNIQUE_MAC, IpJson.field(eth1, "address"));
                    String address = leasedAddress(pid, "eth1");
                    assertEquals(address, dhcp.awaitLease(UNIQUE_MAC).get(2));
                    assertEquals(List.of(), hostLinksStartingWith("ph" + pid));
                    assertTrue(Reach.eventually(c, DhcpServer.ADDRESS), "no ping to the server over the macvlan");
                } finally {
                    Pipework.run("del", c.name());
                }
            }
        }
    }

    /** {@code dhcp} needs a Docker container: a named namespace gets the original's four lines, exit 1, no change. */
    @Test
    void dhcpHelperIsRefusedForANamedNetns() {
        Prerequisites.requireRoot();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String ns = rig.netns().create("nodhcp");
            Sh.Result r = Pipework.run(br, ns, "dhcp");
            assertEquals(1, r.code(), r.describe());
            assertEquals(String.join("\n",
                    "You asked for a Docker-specific DHCP method.",
                    "However, " + ns + " doesn't seem to be a Docker container.",
                    "Try to replace 'dhcp' with another option?",
                    "Aborting."), r.err().strip(), r.describe());
            assertEquals("", r.out());
            assertFalse(IpJson.hostLinkExists(br), "the refused run created " + br);
            List<String> links = new ArrayList<>();
            Json.array(IpJson.ipNetns(ns, "link", "show")).forEach(l -> links.add(Json.string(Json.object(l), "ifname")));
            assertEquals(List.of("lo"), links, "the refused run changed " + ns);
        }
    }

    /** A DHCP client that is not installed: the original's sentence, exit 1, nothing done. */
    @Test
    void missingDhcpClientIsRefused() {
        Prerequisites.requireDocker();
        Assumptions.assumeFalse(Sh.onPath("dhcpcd"), "dhcpcd is installed here, so it cannot be missing");
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("nodhcpcd");
            int pid = c.pid();
            Sh.Result r = Pipework.run(br, c.name(), "dhcpcd");
            assertEquals(1, r.code(), r.describe());
            assertEquals("You asked for DHCP client dhcpcd, but I can't find it.", r.err().strip(), r.describe());
            assertEquals("", r.out());
            assertFalse(IpJson.hostLinkExists(br), "the refused run created " + br);
            assertFalse(IpJson.hostLinkExists("veth1pl" + pid));
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
        }
    }

    /** {@code --dry-run} of the DHCP forms against a real container: its PID, name and full ID in the commands. */
    @Test
    void dhcpDryRunsNameTheRealContainer() {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("udhcpc");
        Prerequisites.requireCommand("dhclient");
        try (Rig rig = new Rig()) {
            String br = rig.host().createBridge("br" + rig.suffix());
            Guest c = rig.container("dhcpdry");
            int p = c.pid();
            String id = c.id();
            String in = "nsenter --net=/proc/" + p + "/ns/net ";
            List<String> veth = List.of(
                    "ip link add name veth1pl" + p + " mtu 1500 type veth peer name veth1pg" + p + " mtu 1500"
                            + " netns /proc/" + p + "/ns/net",
                    "ip link set dev veth1pl" + p + " master " + br,
                    "ip link set dev veth1pl" + p + " alias pipework",
                    "ip link set dev veth1pl" + p + " up",
                    in + "ip link set dev veth1pg" + p + " name eth1",
                    in + "ip link set dev eth1 up");
            String ns = "pipework-" + p;
            List<String> enter = List.of(
                    "mkdir -p /var/run/netns",
                    "touch /var/run/netns/" + ns,
                    "mount --bind /proc/" + p + "/ns/net /var/run/netns/" + ns,
                    "mkdir -p /etc/netns/" + ns,
                    "touch /etc/netns/" + ns + "/resolv.conf");
            List<String> leave = List.of(
                    "umount /var/run/netns/" + ns,
                    "rm -f /var/run/netns/" + ns,
                    "rm -f /etc/netns/" + ns + "/resolv.conf",
                    "rmdir /etc/netns/" + ns);

            String keyName = sha256Prefix8("name:" + c.name()) + "-eth1-v4";
            String key = "/var/lib/pipework/dhcp/" + keyName;
            String clientId = "0070697065776f726b2d" + HexFormat.of().formatHex(
                    sha256Prefix8("name:" + c.name()).getBytes(StandardCharsets.US_ASCII));
            List<String> udhcpc = concat(veth, enter, List.of(
                    "mkdir -p -m 0700 /var/lib/pipework/dhcp",
                    "rm -f " + key + ".pid",
                    "ip netns exec " + ns + " env PIPEWORK_DHCP_KEY=" + keyName + " udhcpc -i eth1 -x hostname:" + c
                            + " -x 0x3d:" + clientId + " -p " + key + ".pid -n -t 20 -T 3 -R -s /var/lib/pipework/dhcp/udhcpc-hook"),
                    List.of("setsid -f pipework dhcp-keeper"), leave);
            List<String> dhclientStart = List.of(
                    "ip netns exec " + ns + " dhclient -1 -pf " + key + ".pid -lf " + key + ".leases -cf " + key
                            + ".conf eth1");
            // The helper's label of its run's own: the run's PID and a random number, in hexadecimal.
            List<String> helper = concat(veth, List.of(
                    "docker run -d --rm --label dev.pipework.dhcp-for=" + id + " --label dev.pipework.interface=eth1"
                            + " --label dev.pipework.run=RUN --net container:" + id
                            + " --cap-add NET_ADMIN busybox udhcpc -i eth1 -x hostname:" + c));

            List<String> shownAll = Sh.lines(Pipework.ok("--dry-run", br, c.name(), "udhcpc").out());
            // udhcpc's hook files are staged and renamed between the directory and the client when they are
            // not yet this pipework's (the first udhcpc attach of this jar on the machine): not this test's matter.
            int hookFrom = shownAll.indexOf("mkdir -p -m 0700 /var/lib/pipework/dhcp") + 1;
            int hookTo = shownAll.indexOf("rm -f " + key + ".pid");
            assertTrue(hookFrom > 0 && hookTo >= hookFrom, String.join("\n", shownAll));
            List<String> shownUdhcpc = concat(shownAll.subList(0, hookFrom), shownAll.subList(hookTo, shownAll.size()));
            assertEquals(udhcpc, concat(shownUdhcpc.subList(0, veth.size() + enter.size() + 3),
                    shownUdhcpc.subList(shownUdhcpc.size() - leave.size() - 1, shownUdhcpc.size())), String.join("\n", shownUdhcpc));
            List<String> shownDhclient = Sh.lines(Pipework.ok("--dry-run", br, c.name(), "dhclient").out());
            assertEquals(veth, shownDhclient.subList(0, veth.size()));
            assertTrue(shownDhclient.containsAll(dhclientStart), String.join("\n", shownDhclient));
            assertEquals(leave, shownDhclient.subList(shownDhclient.size() - leave.size(), shownDhclient.size()));
            List<String> shownHelper = new ArrayList<>(Sh.lines(Pipework.ok("--dry-run", br, c.name(), "dhcp").out()));
            shownHelper.replaceAll(l -> l.replaceFirst(" --label dev\\.pipework\\.run=[0-9a-f]{1,16}-[0-9a-f]{1,16} ",
                    " --label dev.pipework.run=RUN "));
            assertEquals(helper, shownHelper);
            assertEquals(Set.of("lo"), IpJson.linkNames(p), "a dry run changed the container");
            assertFalse(IpJson.hostLinkExists("veth1pl" + p), "a dry run created the veth");
            assertFalse(Files.exists(Path.of("/var/run/netns/" + ns)));
        }
    }

    // ------------------------------------------------------------------ 5. kernel features

    /**
     * {@code @100} on a NIC: the 802.1Q sub-interface {@code nic<s>.100} (VLAN id 100) is made and
     * is the macvlan's parent; the tagged LAN answers; a second attach reuses the sub-interface.
     */
    @Test
    void vlanSubInterfaceIsTheMacvlanParent() {
        Prerequisites.requireDocker();
        Prerequisites.requireLinkType("vlan", "802.1Q VLAN");
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            String sub = rig.host().link(lan.nic() + ".100");
            Sh.ok("ip", "-n", lan.ns(), "link", "add", "link", lan.end(), "name", "v100", "type", "vlan", "id", "100");
            rig.netns().addAddress(lan.ns(), "v100", "10.160.100.254/24");
            Sh.ok("ip", "-n", lan.ns(), "link", "set", "v100", "up");
            Guest c = rig.container("vlan");
            int pid = c.pid();
            rig.host().link("ph" + pid + "eth1");
            rig.host().link("ph" + pid + "eth2");

            Pipework.ok(lan.nic(), c.name(), "10.160.100.10/24", "@100");
            Map<String, Object> vlan = IpJson.link(null, sub)
                    .orElseThrow(() -> new AssertionError(sub + " was not created"));
            assertEquals(Optional.of("vlan"), IpJson.kind(vlan), Json.write(vlan));
            assertEquals("100", IpJson.field(vlan, "linkinfo", "info_data", "id"), Json.write(vlan));
            assertEquals(lan.nic(), IpJson.field(vlan, "link"), "parent of " + sub);
            assertTrue(IpJson.flags(vlan).contains("UP"), Json.write(vlan));
            Map<String, Object> eth1 = guestLink(pid, "eth1");
            assertEquals(Optional.of("macvlan"), IpJson.kind(eth1));
            assertEquals("bridge", IpJson.field(eth1, "linkinfo", "info_data", "mode"));
            assertEquals(IpJson.field(vlan, "ifindex"), IpJson.field(eth1, "link_index"),
                    "the macvlan's parent is not " + sub);
            assertEquals("pipework macvlan " + sub, IpJson.field(eth1, "ifalias"));
            assertEquals(List.of("10.160.100.10/24"), IpJson.ipv4(pid, "eth1"));
            assertEquals(List.of(), hostLinksStartingWith("ph" + pid));
            assertTrue(Reach.eventually(c, "10.160.100.254"), "no ping over VLAN 100");
            assertEquals(List.of(sub, "macvlan"), List.of(StatusTable.row(statusRows(c.name()), "eth1").get(7),
                    StatusTable.row(statusRows(c.name()), "eth1").get(9)));

            // The sub-interface exists now: a second attach takes it as it is.
            Pipework.ok("-i", "eth2", lan.nic(), c.name(), "10.160.100.11/24", "@100");
            assertEquals(IpJson.field(vlan, "ifindex"), IpJson.field(guestLink(pid, "eth2"), "link_index"));
            assertEquals(1, hostLinksStartingWith(lan.nic() + ".").size());

            Pipework.ok("del", "--all", c.name());
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
        }
    }

    /** {@code dummy<s>}: a dummy interface is the container's eth1, with the address and the gateway. */
    @Test
    void dummyInterfaceInTheContainer() {
        Prerequisites.requireDocker();
        Prerequisites.requireLinkType("dummy", "dummy interface");
        try (Rig rig = new Rig()) {
            String s = rig.suffix();
            Guest c = rig.container("dummy");
            int pid = c.pid();
            rig.host().link("du" + pid + "eth1");
            rig.host().link("dummy" + s);

            Pipework.ok("dummy" + s, c.name(), "10.160.50.2/24@10.160.50.1");
            Map<String, Object> eth1 = guestLink(pid, "eth1");
            assertEquals(Optional.of("dummy"), IpJson.kind(eth1), Json.write(eth1));
            assertEquals("pipework dummy", IpJson.field(eth1, "ifalias"));
            assertEquals(List.of("10.160.50.2/24"), IpJson.ipv4(pid, "eth1"));
            assertEquals(Optional.of("10.160.50.1"), IpJson.defaultGateway(pid));
            assertFalse(IpJson.hostLinkExists("du" + pid + "eth1"), "the dummy's host-side name is left");
            assertFalse(IpJson.hostLinkExists("dummy" + s), "a host link named after the argument was made");
            assertEquals("dummy", StatusTable.row(statusRows(c.name()), "eth1").get(9));

            Pipework.ok("del", c.name());
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
        }
    }

    /** IPoIB: a child of the host's InfiniBand link is the container's ib0. Needs a real InfiniBand NIC. */
    @Test
    void ipoibChildInterfaceInTheContainer() throws IOException {
        Prerequisites.requireDocker();
        Optional<String> ib = infinibandLink();
        Prerequisites.requireKernelFeature("IPoIB", ib.isPresent(), "no InfiniBand link (type 32 in /sys/class/net/*/type)"
                + " on this host, and an InfiniBand NIC cannot be faked");
        String parent = ib.orElseThrow();
        try (Rig rig = new Rig()) {
            Guest c = rig.container("ipoib");
            int p = c.pid();
            String child = parent + "." + p;
            if (child.length() > 15) {
                child = "ib" + sha256Prefix(child);
            }
            rig.host().link(child);
            boolean parentUp = IpJson.flags(hostLink(parent)).contains("UP");
            String in = "nsenter --net=/proc/" + p + "/ns/net ";
            List<String> expected = new ArrayList<>();
            expected.add("ip link add link " + parent + " name " + child + " type ipoib");
            if (!parentUp) {
                expected.add("ip link set dev " + parent + " up");
            }
            expected.addAll(List.of(
                    "ip link set dev " + child + " netns /proc/" + p + "/ns/net",
                    in + "ip link set dev " + child + " name ib0",
                    in + "ip link set dev ib0 alias 'pipework ipoib " + parent + "'",
                    in + "ip -4 addr add 10.160.200.2/24 brd 10.160.200.255 dev ib0",
                    in + "ip link set dev ib0 up"));
            if (Sh.onPath("arping")) {
                expected.add("setsid -f " + in + "arping -c 2 -A -I ib0 10.160.200.2");
            }
            assertEquals(expected, Sh.lines(Pipework.ok("--dry-run", parent, c.name(), "10.160.200.2/24").out()));
            assertEquals(Set.of("lo"), IpJson.linkNames(p));

            Sh.Result mac = Pipework.run(parent, c.name(), "10.160.200.2/24", "02:0a:a0:c8:00:02");
            assertEquals(1, mac.code(), mac.describe());
            assertEquals("MACADDR configuration unsupported for IPoIB interfaces.", mac.err().strip());

            Pipework.ok(parent, c.name(), "10.160.200.2/24");
            Map<String, Object> ib0 = guestLink(p, "ib0");
            assertEquals(Optional.of("ipoib"), IpJson.kind(ib0), Json.write(ib0));
            assertEquals(List.of("10.160.200.2/24"), IpJson.ipv4(p, "ib0"));
            assertFalse(IpJson.hostLinkExists(child), child + " is still on the host");
            List<String> row = StatusTable.row(statusRows(c.name()), "ib0");
            assertEquals(List.of(parent, "ipoib"), List.of(row.get(7), row.get(9)));
            Pipework.ok("del", "-i", "ib0", c.name());
            assertEquals(Set.of("lo"), IpJson.linkNames(p));
        }
    }

    /**
     * Runs everywhere: {@code --dry-run} of the 802.1Q, dummy, macvlan (NIC down, gateway) and
     * {@code --direct-phys} forms against a real container prints the planned commands with its
     * PID, and changes nothing.
     */
    @Test
    void dryRunsOfThePhysicalFormsPrintThePlan() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            String nic = lan.nic();
            String mac = IpJson.field(hostLink(nic), "address");
            Guest c = rig.container("physdry");
            int p = c.pid();
            String in = "nsenter --net=/proc/" + p + "/ns/net ";
            String mtu = Integer.toString(LAN_MTU);
            boolean arping = Sh.onPath("arping");
            String nicBefore = nicState(nic);

            List<String> vlan = new ArrayList<>(List.of(
                    "ip link add link " + nic + " name " + nic + ".100 mtu " + mtu + " type vlan id 100",
                    "ip link add link " + nic + ".100 dev ph" + p + "eth1 mtu " + mtu + " type macvlan mode bridge",
                    "ip link set dev " + nic + ".100 up",
                    "ip link set dev ph" + p + "eth1 netns /proc/" + p + "/ns/net",
                    in + "ip link set dev ph" + p + "eth1 name eth1",
                    in + "ip link set dev eth1 alias 'pipework macvlan " + nic + ".100'",
                    in + "ip link set dev eth1 address 02:00:00:00:01:02",
                    in + "ip -4 addr add 10.160.100.2/24 brd 10.160.100.255 dev eth1",
                    in + "ip link set dev eth1 up"));
            if (arping) {
                vlan.add("setsid -f " + in + "arping -c 2 -A -I eth1 10.160.100.2");
            }
            assertEquals(vlan, Sh.lines(Pipework.ok("--dry-run", nic, c.name(), "10.160.100.2/24",
                    "02:00:00:00:01:02@100").out()));

            String du = "du" + p + "eth1";
            List<String> dummy = new ArrayList<>(List.of(
                    "ip link add dev " + du + " type dummy",
                    "ip link set dev " + du + " netns /proc/" + p + "/ns/net",
                    in + "ip link set dev " + du + " name eth1",
                    in + "ip link set dev eth1 alias 'pipework dummy'",
                    in + "ip -4 addr add 10.160.50.2/24 brd 10.160.50.255 dev eth1",
                    in + "ip link set dev eth1 up",
                    in + "ip -4 route replace default via 10.160.50.1 dev eth1"));
            if (arping) {
                dummy.add("setsid -f " + in + "arping -c 2 -A -I eth1 10.160.50.2");
            }
            assertEquals(dummy, Sh.lines(Pipework.ok("--dry-run", "dummy" + rig.suffix(), c.name(),
                    "10.160.50.2/24@10.160.50.1").out()));

            List<String> direct = new ArrayList<>(List.of(
                    "ip link set dev " + nic + " down",
                    "ip link set dev " + nic + " alias 'pipework direct " + nic + " " + mac + "'",
                    "ip link set dev " + nic + " netns /proc/" + p + "/ns/net",
                    "sh -c 'mkdir -p /run/pipework/direct && printf '\\''%s\\n'\\'' '\\''eth1 " + mac + " " + nic + " " + mac
                            + "'\\'' > /run/pipework/direct/" + netnsInode(p) + "-" + nic + "'",
                    in + "ip link set dev " + nic + " name eth1",
                    in + "ip -4 addr add 10.160.0.50/24 brd 10.160.0.255 dev eth1",
                    in + "ip link set dev eth1 up"));
            if (arping) {
                direct.add("setsid -f " + in + "arping -c 2 -A -I eth1 10.160.0.50");
            }
            assertEquals(direct, Sh.lines(Pipework.ok("--dry-run", "--direct-phys", nic, c.name(),
                    "10.160.0.50/24").out()));
            assertEquals(nicBefore, nicState(nic), "a dry run changed the NIC");

            // With the NIC down, the plan brings it up after making the macvlan.
            Sh.ok("ip", "link", "set", nic, "down");
            String downBefore = nicState(nic);
            List<String> macvlan = new ArrayList<>(List.of(
                    "ip link add link " + nic + " dev ph" + p + "eth1 mtu " + mtu + " type macvlan mode bridge",
                    "ip link set dev " + nic + " up",
                    "ip link set dev ph" + p + "eth1 netns /proc/" + p + "/ns/net",
                    in + "ip link set dev ph" + p + "eth1 name eth1",
                    in + "ip link set dev eth1 alias 'pipework macvlan " + nic + "'",
                    in + "ip -4 addr add 10.160.0.51/24 brd 10.160.0.255 dev eth1",
                    in + "ip link set dev eth1 up",
                    in + "ip -4 route replace default via " + LAN_GW + " dev eth1"));
            if (arping) {
                macvlan.add("setsid -f " + in + "arping -c 2 -A -I eth1 10.160.0.51");
            }
            assertEquals(macvlan, Sh.lines(Pipework.ok("--dry-run", nic, c.name(), "10.160.0.51/24@" + LAN_GW).out()));

            assertEquals(downBefore, nicState(nic), "a dry run changed the NIC");
            assertFalse(IpJson.hostLinkExists(nic + ".100"), "a dry run made the VLAN interface");
            assertEquals(List.of(), hostLinksStartingWith("ph" + p));
            assertEquals(List.of(), hostLinksStartingWith("du" + p));
            assertEquals(Set.of("lo"), IpJson.linkNames(p), "a dry run changed the container");
        }
    }

    /** Where the kernel has no 802.1Q: {@code @100} on a NIC fails with the kernel's word and leaves nothing. */
    @Test
    void withoutVlanSupportTheAttachFailsAndLeavesNothing() {
        Prerequisites.requireDocker();
        Assumptions.assumeFalse(Prerequisites.linkTypeSupported("vlan"),
                "this kernel has 802.1Q VLAN support: vlanSubInterfaceIsTheMacvlanParent covers it");
        try (Rig rig = new Rig()) {
            Lan lan = Lan.create(rig);
            rig.host().link(lan.nic() + ".100");
            Guest c = rig.container("novlan");
            int pid = c.pid();
            rig.host().link("ph" + pid + "eth1");
            String nicBefore = nicState(lan.nic());

            Sh.Result r = Pipework.run(lan.nic(), c.name(), "10.160.100.10/24", "@100");
            assertNotEquals(0, r.code(), r.describe());
            assertTrue(r.err().contains("VLAN 100") && r.err().contains(lan.nic() + ".100"), r.describe());
            assertFalse(IpJson.hostLinkExists(lan.nic() + ".100"));
            assertEquals(List.of(), hostLinksStartingWith("ph" + pid));
            assertEquals(nicBefore, nicState(lan.nic()));
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
        }
    }

    /** Where the kernel has no dummy interfaces: {@code dummy<s>} fails with the kernel's word and leaves nothing. */
    @Test
    void withoutDummySupportTheAttachFailsAndLeavesNothing() {
        Prerequisites.requireDocker();
        Assumptions.assumeFalse(Prerequisites.linkTypeSupported("dummy"),
                "this kernel has dummy interfaces: dummyInterfaceInTheContainer covers it");
        try (Rig rig = new Rig()) {
            String s = rig.suffix();
            Guest c = rig.container("nodummy");
            int pid = c.pid();
            rig.host().link("du" + pid + "eth1");
            Sh.Result r = Pipework.run("dummy" + s, c.name(), "10.160.50.2/24");
            assertNotEquals(0, r.code(), r.describe());
            assertTrue(r.err().contains("du" + pid + "eth1"), r.describe());
            assertEquals(List.of(), hostLinksStartingWith("du" + pid));
            assertFalse(IpJson.hostLinkExists("dummy" + s));
            assertEquals(Set.of("lo"), IpJson.linkNames(pid));
        }
    }

    // ------------------------------------------------------------------ 6. --wait

    /**
     * {@code --wait -i veth0 --timeout 5} inside a namespace: returns 0 once veth0 appears (a
     * second later) with carrier and up; {@code -i lan1} present but down returns once it is set up.
     */
    @Test
    void waitReturnsOnceTheInterfaceIsUp() throws Exception {
        Prerequisites.requireRoot();
        try (TestNetns netns = new TestNetns()) {
            String ns = netns.create("wait");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long t0 = System.nanoTime();
            Thread later = new Thread(() -> {
                try {
                    Thread.sleep(1000);
                    Sh.ok("ip", "-n", ns, "link", "add", "veth0", "type", "veth", "peer", "name", "veth0p");
                    Sh.ok("ip", "-n", ns, "link", "set", "veth0p", "up");
                    Sh.ok("ip", "-n", ns, "link", "set", "veth0", "up");
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            later.start();
            Sh.Result r = waitIn(ns, "veth0", "5");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            later.join();
            if (failure.get() != null) {
                throw new AssertionError("creating veth0 failed", failure.get());
            }
            assertEquals(0, r.code(), r.describe());
            assertTrue(ms >= 1000, "returned after " + ms + " ms, before veth0 existed");
            assertTrue(ms < 5000, "returned after " + ms + " ms: waited for the timeout");

            // Present, with a peer that is up, but itself down: not ready until it is set up.
            Sh.ok("ip", "-n", ns, "link", "add", "lan1", "type", "veth", "peer", "name", "lan1p");
            Sh.ok("ip", "-n", ns, "link", "set", "lan1p", "up");
            long t1 = System.nanoTime();
            Thread up = new Thread(() -> {
                try {
                    Thread.sleep(1000);
                    Sh.ok("ip", "-n", ns, "link", "set", "lan1", "up");
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            up.start();
            r = waitIn(ns, "lan1", "5");
            ms = (System.nanoTime() - t1) / 1_000_000;
            up.join();
            if (failure.get() != null) {
                throw new AssertionError("setting lan1 up failed", failure.get());
            }
            assertEquals(0, r.code(), r.describe());
            assertTrue(ms >= 1000, "returned after " + ms + " ms, while lan1 was still down");
            assertTrue(ms < 5000, "returned after " + ms + " ms: waited for the timeout");
        }
    }

    /** {@code --wait -i veth0 --timeout 2} for a link that never comes: exit 1 after about two seconds, naming it. */
    @Test
    void waitTimesOutNamingTheInterface() {
        Prerequisites.requireRoot();
        try (TestNetns netns = new TestNetns()) {
            String ns = netns.create("waitto");
            long t0 = System.nanoTime();
            Sh.Result r = waitIn(ns, "veth0", "2");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, r.code(), r.describe());
            assertTrue(r.err().contains("\"veth0\""), r.describe());
            assertEquals("", r.out());
            assertTrue(ms >= 2000, "gave up after " + ms + " ms, before the 2 s timeout");
            assertTrue(ms < 10_000, "gave up only after " + ms + " ms");
        }
    }

    // ------------------------------------------------------------------ helpers: the LAN and the NIC

    /** Name, MAC, MTU, flags, alias and state of a host link, to compare before and after. */
    private static String nicState(String nic) {
        Map<String, Object> l = hostLink(nic);
        return String.join(" | ", nic, IpJson.field(l, "address"), IpJson.field(l, "mtu"), IpJson.flags(l).toString(),
                String.valueOf(IpJson.field(l, "ifalias")), IpJson.field(l, "operstate"),
                String.valueOf(IpJson.field(l, "promiscuity")), String.valueOf(IpJson.field(l, "master")));
    }

    /** Puts a veth end named {@code name} into the guest of {@code pid} (its peer stays on the host, down). */
    private static void occupy(HostCleanup host, int pid, String name, String hostEnd, String guestEnd) {
        host.createVeth(hostEnd, guestEnd);
        Sh.ok("ip", "link", "set", guestEnd, "netns", Integer.toString(pid));
        Sh.ok("nsenter", "--net=/proc/" + pid + "/ns/net", "ip", "link", "set", guestEnd, "name", name);
    }

    private static void assertAliasCleared(Map<String, Object> link) {
        String alias = IpJson.field(link, "ifalias");
        assertTrue(alias == null || alias.isEmpty(), "alias left on " + link.get("ifname") + ": " + alias);
    }

    /** A locally administered MAC that no host link has. */
    private static String unusedMac() {
        Set<String> used = new TreeSet<>();
        IpJson.links(null).forEach(l -> used.add(IpJson.field(l, "address")));
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        while (true) {
            String mac = String.format("02:a0:%02x:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256),
                    random.nextInt(256), random.nextInt(256));
            if (!used.contains(mac)) {
                return mac;
            }
        }
    }

    /** The first host link of type 32 (ARPHRD_INFINIBAND), if any. */
    private static Optional<String> infinibandLink() throws IOException {
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            return links.filter(p -> {
                try {
                    return Files.readString(p.resolve("type")).strip().equals("32");
                } catch (IOException e) {
                    return false;
                }
            }).map(p -> p.getFileName().toString()).sorted().findFirst();
        }
    }

    /** The first 8 bytes of SHA-256, in hex: the identity the lease keeper gives a guest. */
    private static String sha256Prefix8(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Prefix(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ helpers: DHCP

    /**
     * {@code pipework <bridge> <guest> <dhcp form> [mac]}, which must succeed and leave the host's
     * /etc/resolv.conf and hostname byte for byte as they were, and no {@code pipework-<pid>}
     * namespace name, bind mount or /etc/netns directory behind.
     */
    private static Sh.Result isolatedDhcpRun(Guest guest, String bridge, String... form) throws IOException {
        Path resolv = Path.of("/etc/resolv.conf");
        byte[] resolvBefore = Files.exists(resolv) ? Files.readAllBytes(resolv) : null;
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        List<String> args = new ArrayList<>(List.of(bridge, guest.name()));
        args.addAll(List.of(form));
        Sh.Result r = Pipework.run(args, Pipework.DEFAULT_TIMEOUT);
        assertEquals(0, r.code(), "pipework " + String.join(" ", args) + ": " + r.describe());
        if (resolvBefore == null) {
            assertFalse(Files.exists(resolv), "the DHCP run created /etc/resolv.conf");
        } else {
            assertArrayEquals(resolvBefore, Files.readAllBytes(resolv), "the DHCP run changed the host's /etc/resolv.conf");
        }
        assertEquals(hostname, Files.readString(Path.of("/proc/sys/kernel/hostname")), "the DHCP run changed the hostname");
        String name = "pipework-" + guest.pid();
        assertFalse(Files.exists(Path.of("/var/run/netns", name)), "/var/run/netns/" + name + " is left");
        assertFalse(Files.exists(Path.of("/etc/netns", name)), "/etc/netns/" + name + " is left");
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains("/netns/" + name + " "), "the bind mount of " + name + " is left:\n" + mounts);
        return r;
    }

    /** The one IPv4 address of {@code ifname}, which must be a /24 in the DHCP pool; returned without its prefix. */
    private static String leasedAddress(int pid, String ifname) {
        List<String> v4 = IpJson.ipv4(pid, ifname);
        assertEquals(1, v4.size(), ifname + " addresses: " + v4);
        String[] parts = v4.get(0).split("/");
        assertEquals("24", parts[1], v4.get(0));
        assertTrue(parts[0].startsWith("10.161.0."), v4.get(0) + " is not from the server's subnet");
        int last = Integer.parseInt(parts[0].substring("10.161.0.".length()));
        assertTrue(last >= DhcpServer.POOL_FIRST && last <= DhcpServer.POOL_LAST, v4.get(0) + " is outside the pool");
        return parts[0];
    }

    /**
     * Live (not zombie) processes named {@code client} in the network namespace of {@code guest},
     * or whose command line names the guest's pid or lease file.
     */
    private static List<String> clientProcesses(String client, Guest guest) {
        String netns;
        try {
            netns = Files.readSymbolicLink(Path.of("/proc/" + guest.pid() + "/ns/net")).toString();
        } catch (IOException e) {
            throw new AssertionError("cannot read the netns of " + guest.pid(), e);
        }
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path p : procs) {
                try {
                    if (!Files.readString(p.resolve("comm")).strip().equals(client)) {
                        continue;
                    }
                    String stat = Files.readString(p.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    if (state == 'Z' || state == 'X') {
                        continue;
                    }
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ').strip();
                    String ns = Files.readSymbolicLink(p.resolve("ns/net")).toString();
                    if (ns.equals(netns) || cmdline.contains(client + "." + guest.name() + ".")) {
                        found.add(p.getFileName() + " " + cmdline);
                    }
                } catch (IOException | RuntimeException e) {
                    // The process ended while being read.
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
        return found;
    }

    /**
     * Stops a client a failed test left behind: the process named in {@code pidFile}, only when it is
     * that client and its command line names the file; then removes the file.
     */
    private static void stopClient(Path pidFile, String client) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Path proc = Path.of("/proc", Long.toString(pid));
            String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            if (Files.readString(proc.resolve("comm")).strip().equals(client) && cmdline.contains(pidFile.toString())) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            }
        } catch (IOException | NumberFormatException e) {
            // No such process any more.
        }
        Files.deleteIfExists(pidFile);
    }

    /** IDs of the DHCP helper containers of the container with full ID {@code id}: all, or running only. */
    private static List<String> helpers(String id, boolean all) {
        List<String> argv = new ArrayList<>(List.of("docker", "ps", "-q", "--no-trunc"));
        if (all) {
            argv.add("-a");
        }
        argv.addAll(List.of("--filter", "label=dev.pipework.dhcp-for=" + id));
        return Sh.lines(Sh.ok(argv, Duration.ofSeconds(30)).out());
    }

    private static void removeHelpers(String id) {
        List<String> left = helpers(id, true);
        if (!left.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("docker", "rm", "-f"));
            argv.addAll(left);
            Sh.run(argv, Duration.ofSeconds(60));
        }
    }

    // ------------------------------------------------------------------ helpers: --wait

    /** {@code ip netns exec <ns> java -jar pipework.jar --wait -i <ifname> --timeout <seconds>}. */
    private static Sh.Result waitIn(String ns, String ifname, String timeout) {
        return Sh.run(List.of("ip", "netns", "exec", ns, Pipework.java(), "-jar", Pipework.jar().toString(),
                "--wait", "-i", ifname, "--timeout", timeout), Duration.ofSeconds(60));
    }

    // ------------------------------------------------------------------ helpers: kernel state

    private static Map<String, Object> hostLink(String name) {
        return IpJson.link(null, name).orElseThrow(() -> new AssertionError("no host link " + name));
    }

    private static Map<String, Object> guestLink(int pid, String name) {
        return IpJson.link(pid, name).orElseThrow(() -> new AssertionError("no " + name + " in the container: "
                + IpJson.linkNames(pid)));
    }

    private static List<String> hostLinksStartingWith(String prefix) {
        List<String> names = new ArrayList<>();
        IpJson.links(null).forEach(l -> {
            String n = (String) l.get("ifname");
            if (n != null && n.startsWith(prefix)) {
                names.add(n);
            }
        });
        return names;
    }

    // ------------------------------------------------------------------ helpers: status

    /** The rows of {@code pipework status <guest>}, each split into its 11 columns (header checked). */
    private static List<List<String>> statusRows(String guest) {
        return StatusTable.of("status", guest);
    }

    /** The {@code status --json} attachment of interface {@code iface} of {@code guest}. */
    private static Map<String, Object> attachmentJson(String guest, String iface) {
        Map<String, Object> doc = Json.object(Json.parse(Pipework.ok("status", guest, "--json").out()));
        for (Object o : Json.array(doc.get("attachments"))) {
            Map<String, Object> a = Json.object(o);
            if (iface.equals(Json.at(a, "interface", "name"))) {
                return a;
            }
        }
        throw new AssertionError("no attachment " + iface + " of " + guest + " in status --json");
    }

    // ------------------------------------------------------------------ helpers: misc

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            all.addAll(p);
        }
        return all;
    }

    /** The inode of the network namespace of a process: what the host's record of a NIC moved whole is named by. */
    private static long netnsInode(long pid) {
        try {
            return ((Number) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/" + pid + "/ns/net"), "unix:ino"))
                    .longValue();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
