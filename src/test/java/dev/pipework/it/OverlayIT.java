package dev.pipework.it;

import dev.pipework.it.support.Cni;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Reach;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overlays across "hosts" that are network namespaces: pipework runs inside each
 * ({@code ip netns exec <host> pipework ...}), sees that namespace's links as the host's, and
 * plumbs guests (namespaces of their own) into the overlay's bridge there. The underlay is a
 * switch: a Linux bridge in a namespace of its own, one veth to each host.
 */
class OverlayIT {

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("ping");
        Prerequisites.requireCommand("bridge");
    }

    /** Runs pipework inside host namespace {@code host}. */
    private static Sh.Result pipework(String host, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", host));
        argv.addAll(Pipework.command(List.of(args)));
        return Sh.run(argv, Pipework.DEFAULT_TIMEOUT);
    }

    private static Sh.Result pipeworkOk(String host, String... args) {
        Sh.Result r = pipework(host, args);
        if (r.code() != 0) {
            throw new AssertionError("in " + host + ": pipework " + String.join(" ", args) + " failed: " + r.describe());
        }
        return r;
    }

    /** Whether a ping of {@code size} payload bytes with DF set gets through, tried a few times. */
    private static boolean dfPing(String ns, String ip, int size) {
        for (int i = 0; i < 3; i++) {
            if (Sh.run("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", "-M", "do", "-s", Integer.toString(size),
                    ip).code() == 0) {
                return true;
            }
        }
        return false;
    }

    @Test
    void threeHostsShareOneVniAndNotAnother() {
        try (TestNetns netns = new TestNetns()) {
            String sw = netns.create("sw");
            netns.ok(sw, "ip", "link", "add", "sw", "type", "bridge");
            netns.ok(sw, "ip", "link", "set", "sw", "up");
            String suffix = HostCleanup.uniqueSuffix();
            String[] hosts = new String[3];
            String[] underlay = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};
            for (int i = 0; i < 3; i++) {
                hosts[i] = netns.create("h" + (i + 1));
                String here = "u" + (i + 1) + suffix;
                String there = "s" + (i + 1) + suffix;
                netns.vethBetween(hosts[i], here, sw, there);
                netns.ok(hosts[i], "ip", "link", "set", here, "down");
                netns.ok(hosts[i], "ip", "link", "set", here, "name", "under0");
                netns.ok(hosts[i], "ip", "link", "set", "under0", "up");
                netns.addAddress(hosts[i], "under0", underlay[i] + "/24");
                netns.ok(sw, "ip", "link", "set", there, "master", "sw");
            }
            for (int i = 0; i < 3; i++) {
                String others = String.join(",", underlay[(i + 1) % 3], underlay[(i + 2) % 3]);
                pipeworkOk(hosts[i], "overlay", "add", "br42", "vni", "42", "underlay", "under0", "peers", others);
                pipeworkOk(hosts[i], "overlay", "add", "br43", "vni", "43", "underlay", "under0", "peers", others);
            }
            // Asked again as it is: nothing changes, and it says so.
            Sh.Result again = pipeworkOk(hosts[0], "overlay", "add", "br42", "vni", "42", "underlay", "under0", "peers",
                    "192.0.2.2,192.0.2.3");
            assertTrue(again.err().contains("already in place"), again.describe());
            String fdb = netns.ok(hosts[0], "bridge", "fdb", "show", "dev", "vx-br42").out();
            assertTrue(fdb.contains("00:00:00:00:00:00 dst 192.0.2.2") && fdb.contains("00:00:00:00:00:00 dst 192.0.2.3"),
                    fdb);
            String details = netns.ok(hosts[0], "ip", "-d", "link", "show", "vx-br42").out();
            assertTrue(details.contains("vxlan id 42") && details.contains("local 192.0.2.1")
                    && details.contains("dstport 4789") && details.contains("nolearning"), details);

            String[] guests = new String[3];
            for (int i = 0; i < 3; i++) {
                guests[i] = netns.create("g" + (i + 1));
                pipeworkOk(hosts[i], "br42", guests[i], "10.42.0." + (i + 1) + "/24");
            }
            // On host 2, a guest of VNI 43 with an address of VNI 42's subnet: reachable only if the VNIs leaked.
            String other = netns.create("g2x");
            pipeworkOk(hosts[1], "br43", other, "10.42.0.22/24");

            String mtu = netns.ok(guests[0], "cat", "/sys/class/net/eth1/mtu").trimmed();
            assertEquals("1450", mtu, "the guest's interface has the overlay's MTU (1500 less 50)");
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    if (i != j) {
                        assertTrue(Reach.eventuallyFromNetns(guests[i], "10.42.0." + (j + 1)),
                                "guest " + (i + 1) + " reaches guest " + (j + 1) + " over VNI 42");
                    }
                }
            }
            assertFalse(Reach.onceFromNetns(guests[0], "10.42.0.22"), "VNI 43 is not reachable from VNI 42");
            assertFalse(Reach.onceFromNetns(other, "10.42.0.1"), "VNI 42 is not reachable from VNI 43");

            // 1450 bytes of IP packet: 1422 bytes of ICMP payload with its 8-byte header and 20 of IP.
            assertTrue(dfPing(guests[0], "10.42.0.3", 1422), "a packet of the overlay's MTU passes with DF");
            assertFalse(dfPing(guests[0], "10.42.0.3", 1423), "one byte more does not");
            // With the guest's MTU raised past the overlay's, one byte more still does not cross it.
            netns.ok(guests[0], "ip", "link", "set", "eth1", "mtu", "1500");
            assertFalse(dfPing(guests[0], "10.42.0.3", 1423), "one byte more than the overlay carries does not pass");
            netns.ok(guests[0], "ip", "link", "set", "eth1", "mtu", "1450");

            // The CNI plugin, run on host 3 without an MTU in its configuration, gives the overlay's too.
            String cniGuest = netns.create("gc");
            String containerId = "overlayit" + suffix;
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"ovl" + suffix + "\",\"type\":\"pipework\","
                    + "\"bridge\":\"br42\"}";
            Map<String, String> env = new LinkedHashMap<>();
            env.put("CNI_CONTAINERID", containerId);
            env.put("CNI_NETNS", "/var/run/netns/" + cniGuest);
            env.put("CNI_IFNAME", "eth1");
            env.put("CNI_PATH", Cni.PLUGINS);
            env.put("CNI_COMMAND", "ADD");
            List<String> inHost3 = new ArrayList<>(List.of("ip", "netns", "exec", hosts[2]));
            inHost3.addAll(Pipework.command(List.of()));
            Sh.Result add = Sh.run(inHost3, Duration.ofSeconds(60), conf, env);
            assertEquals(0, add.code(), add.describe());
            assertEquals("1450", netns.ok(cniGuest, "cat", "/sys/class/net/eth1/mtu").trimmed(),
                    "a CNI attachment to the overlay's bridge has the overlay's MTU");
            env.put("CNI_COMMAND", "DEL");
            Sh.Result del = Sh.run(inHost3, Duration.ofSeconds(60), conf, env);
            assertEquals(0, del.code(), del.describe());

            Sh.Result status = pipeworkOk(hosts[0], "status");
            assertTrue(status.out().contains("OVERLAY") && status.out().matches("(?s).*br42\\s+linux\\s+42\\s+under0\\s+"
                    + "192\\.0\\.2\\.1\\s+1450\\s+vx-br42\\s+192\\.0\\.2\\.2,192\\.0\\.2\\.3.*"), status.out());
            Sh.Result json = pipeworkOk(hosts[0], "status", "--json");
            assertTrue(json.out().contains("\"overlays\"") && json.out().contains("\"vni\": 42"), json.out());

            Sh.Result refused = pipework(hosts[0], "overlay", "rm", "br42");
            assertNotEquals(0, refused.code(), refused.describe());
            assertTrue(refused.err().contains("still has") && refused.err().contains("plugged in"), refused.describe());
            assertTrue(netns.exec(hosts[0], "ip", "link", "show", "vx-br42").success(), "a refused rm changes nothing");

            pipeworkOk(hosts[0], "del", guests[0]);
            pipeworkOk(hosts[0], "overlay", "rm", "br42");
            assertFalse(netns.exec(hosts[0], "ip", "link", "show", "vx-br42").success(), "the VXLAN device is gone");
            assertFalse(netns.exec(hosts[0], "ip", "link", "show", "br42").success(), "the bridge is gone");
            String left = netns.ok(hosts[0], "bridge", "fdb", "show").out();
            assertFalse(left.contains("vx-br42") || left.contains("dev br42"), "no FDB entry of the overlay is left: " + left);
            assertTrue(left.contains("00:00:00:00:00:00 dev vx-br43 dst 192.0.2.2"), "the other overlay's are: " + left);
            Sh.Result none = pipeworkOk(hosts[0], "overlay", "rm", "br42");
            assertTrue(none.err().contains("nothing to remove"), none.describe());
            assertFalse(pipeworkOk(hosts[0], "status").out().contains("br42"), "status no longer lists it");
            // The other hosts' guests still reach each other.
            assertTrue(Reach.eventuallyFromNetns(guests[1], "10.42.0.3"));
        }
    }

    /** Over an IPv6 underlay the overhead is 70 bytes: a 1500-byte underlay carries 1430. */
    @Test
    void ipv6Underlay() {
        try (TestNetns netns = new TestNetns()) {
            String suffix = HostCleanup.uniqueSuffix();
            String[] hosts = {netns.create("h1"), netns.create("h2")};
            String[] underlay = {"fd00:42::1", "fd00:42::2"};
            netns.vethBetween(hosts[0], "u1" + suffix, hosts[1], "u2" + suffix);
            String[] guests = new String[2];
            for (int i = 0; i < 2; i++) {
                String nic = "u" + (i + 1) + suffix;
                netns.ok(hosts[i], "ip", "addr", "add", underlay[i] + "/64", "dev", nic, "nodad");
                pipeworkOk(hosts[i], "overlay", "add", "br7", "vni", "7", "underlay", nic, "peers", underlay[1 - i]);
                guests[i] = netns.create("g" + (i + 1));
                pipeworkOk(hosts[i], "br7", guests[i], "10.7.0." + (i + 1) + "/24");
            }
            assertEquals("1430", netns.ok(guests[0], "cat", "/sys/class/net/eth1/mtu").trimmed());
            assertTrue(Reach.eventuallyFromNetns(guests[0], "10.7.0.2"), "the guests reach each other over IPv6");
            assertTrue(dfPing(guests[0], "10.7.0.2", 1402), "a packet of the overlay's MTU passes with DF");
            netns.ok(guests[0], "ip", "link", "set", "eth1", "mtu", "1500");
            assertFalse(dfPing(guests[0], "10.7.0.2", 1403), "one byte more does not");
        }
    }

    @Test
    void refusedBeforeAnyChange() {
        try (TestNetns netns = new TestNetns()) {
            String host = netns.create("h");
            netns.ok(host, "ip", "link", "add", "under0", "type", "veth", "peer", "name", "under1");
            netns.ok(host, "ip", "link", "set", "under0", "up");
            String before = netns.ok(host, "ip", "-o", "link").out();
            for (List<String> words : List.of(
                    List.of("vni", "0", "underlay", "under0", "peers", "192.0.2.2"),
                    List.of("vni", "16777216", "underlay", "under0", "peers", "192.0.2.2"),
                    List.of("vni", "42", "underlay", "under0", "peers", "192.0.2.2"),
                    List.of("vni", "42", "underlay", "under0", "peers", "peer-two"),
                    List.of("vni", "42", "underlay", "under0", "peers", "etcd"))) {
                List<String> args = new ArrayList<>(List.of("overlay", "add", "br42"));
                args.addAll(words);
                Sh.Result r = pipework(host, args.toArray(String[]::new));
                assertNotEquals(0, r.code(), String.join(" ", words) + ": " + r.describe());
            }
            netns.addAddress(host, "under0", "192.0.2.1/24");
            Sh.Result tooBig = pipework(host, "overlay", "add", "br42", "vni", "42", "underlay", "under0", "peers",
                    "192.0.2.2", "mtu", "1451");
            assertNotEquals(0, tooBig.code(), tooBig.describe());
            assertTrue(tooBig.err().contains("does not fit"), tooBig.describe());
            assertEquals(before, netns.ok(host, "ip", "-o", "link").out(), "no link was made");

            // A VXLAN device of VNI 42 that is not an overlay's: the kernel refuses a second one, after
            // the bridge was made, and the run undoes what it did.
            netns.ok(host, "ip", "link", "add", "vxother", "type", "vxlan", "id", "42", "dstport", "4789");
            String withOther = netns.ok(host, "ip", "-o", "link").out();
            Sh.Result failed = pipework(host, "overlay", "add", "br42", "vni", "42", "underlay", "under0", "peers",
                    "192.0.2.2");
            assertNotEquals(0, failed.code(), failed.describe());
            assertFalse(netns.exec(host, "ip", "link", "show", "br42").success(), "the bridge was removed again: "
                    + failed.describe());
            assertEquals(withOther.lines().count(), netns.ok(host, "ip", "-o", "link").out().lines().count(),
                    "nothing is left of the failed run");
        }
    }

    /**
     * Open vSwitch (userspace datapath) in the root namespace and a kernel VXLAN device on a host
     * namespace: the userspace datapath tunnels by itself, from an underlay address on an OVS bridge
     * of its own and a route OVS knows.
     */
    @Test
    void openVswitchInteroperatesWithKernelVxlan() {
        Prerequisites.requireOvs();
        Prerequisites.requireCommand("ethtool");
        String suffix = HostCleanup.uniqueSuffix();
        int net = ThreadLocalRandom.current().nextInt(0, 256);
        String a = "198.19." + net + ".1";
        String b = "198.19." + net + ".2";
        String subnet = "198.19." + net + ".0/24";
        int vni = ThreadLocalRandom.current().nextInt(100_000, 16_000_000);
        String phy = "pwphy" + suffix;
        String ovl = "ovs" + suffix;
        String ua = "ua" + suffix;
        String ub = "ub" + suffix;
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            host.createOvsBridge(phy);
            host.ovsBridge(ovl);
            String hb = netns.create("hb");
            netns.veth(ua, ub);
            netns.moveAndUp(ub, hb);
            Sh.ok(List.of("ovs-vsctl", "--timeout=20", "add-port", phy, ua), Duration.ofSeconds(30));
            Sh.ok("ip", "link", "set", ua, "up");
            Sh.ok("ip", "addr", "add", a + "/24", "dev", phy);
            Sh.ok("ip", "link", "set", phy, "up");
            Sh.ok("ovs-appctl", "ovs/route/add", subnet, phy);
            try {
                netns.addAddress(hb, ub, b + "/24");
                // The veths hand OVS's AF_PACKET socket packets with partial checksums, which its
                // tunnel decapsulation drops: no transmit checksum offload on either end.
                Sh.ok("ethtool", "-K", ua, "tx", "off");
                netns.ok(hb, "ethtool", "-K", ub, "tx", "off");

                Pipework.ok("overlay", "add", ovl, "vni", Integer.toString(vni), "underlay", phy, "peers", b);
                pipeworkOk(hb, "overlay", "add", "br" + suffix, "vni", Integer.toString(vni), "underlay", ub, "peers", a);
                String ga = netns.create("ga");
                String gb = netns.create("gb");
                Pipework.ok(ovl, ga, "10.77.0.1/24");
                pipeworkOk(hb, "br" + suffix, gb, "10.77.0.2/24");
                assertEquals("1450", netns.ok(ga, "cat", "/sys/class/net/eth1/mtu").trimmed(),
                        "the guest on Open vSwitch has the overlay's MTU");
                assertTrue(Reach.eventuallyFromNetns(ga, "10.77.0.2"), "Open vSwitch reaches the kernel VXLAN");
                assertTrue(Reach.eventuallyFromNetns(gb, "10.77.0.1"), "the kernel VXLAN reaches Open vSwitch");
                assertTrue(dfPing(ga, "10.77.0.2", 1422), "a packet of the overlay's MTU passes with DF");

                String status = Pipework.ok("status").out();
                assertTrue(status.matches("(?s).*" + ovl + "\\s+ovs\\s+" + vni + "\\s.*"), status);
                Pipework.ok("del", ga);
                Pipework.ok("overlay", "rm", ovl);
                assertFalse(Sh.run("ovs-vsctl", "br-exists", ovl).success(), "the Open vSwitch bridge is gone");
            } finally {
                Sh.run("ovs-appctl", "ovs/route/del", subnet);
            }
        }
    }
}
