package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestContainers;
import dev.pipework.it.support.TestNetns;

/**
 * Checks the machine the integration tests run on: root, dockerd, the test
 * image, Open vSwitch and basic namespace plumbing done by hand. When this
 * fails, the other integration tests cannot mean anything.
 */
class EnvironmentIT {

    @Test
    void runsAsRoot() {
        Prerequisites.requireRoot();
        assertEquals(0, Prerequisites.effectiveUid());
    }

    @Test
    void dockerAnswersAndTestImageRuns() {
        Prerequisites.requireDocker();
        Sh.Result info = Sh.ok("docker", "info", "--format", "{{.ServerVersion}}");
        assertFalse(info.trimmed().isEmpty(), "docker info printed no server version");
        Sh.ok("docker", "run", "--rm", "--net=none", Prerequisites.TEST_IMAGE, "true");
        // The tool's DHCP mode runs "busybox udhcpc" from an image named busybox.
        Sh.ok("docker", "run", "--rm", "--net=none", "busybox:latest", "udhcpc", "--help");
    }

    @Test
    void containerStartsWithLoopbackOnly() {
        Prerequisites.requireDocker();
        try (TestContainers containers = new TestContainers()) {
            String c = containers.start("lo");
            int pid = containers.pid(c);
            List<Map<String, Object>> links = IpJson.links(pid);
            assertEquals(List.of("lo"), links.stream().map(l -> (String) l.get("ifname")).toList(),
                    "a --net=none container should only have lo");
            assertTrue(IpJson.addresses(pid, "lo").contains("127.0.0.1/8"));
            assertEquals(List.of(), IpJson.routes(pid));
            assertEquals("hello", containers.execOk(c, "echo", "hello").trimmed());
            for (String applet : List.of("sh", "ping", "ip", "ifconfig", "udhcpc", "arping", "hostname")) {
                assertEquals(0, containers.exec(c, "which", applet).code(), "test image lacks " + applet);
            }
        }
    }

    @Test
    void containerHasNoNetAdminButHostCanConfigureIt() {
        Prerequisites.requireDocker();
        try (TestContainers containers = new TestContainers()) {
            String c = containers.start("caps");
            assertFalse(containers.exec(c, "ip", "link", "set", "lo", "mtu", "1400").success(),
                    "test containers must not have CAP_NET_ADMIN, like a user's");
            containers.netOk(c, "ip", "link", "set", "lo", "mtu", "1400");
            assertEquals("1400", IpJson.field(IpJson.link(containers.pid(c), "lo").orElseThrow(), "mtu"));
        }
    }

    @Test
    void containerAcceptsExtraDockerArgs() {
        Prerequisites.requireDocker();
        try (TestContainers containers = new TestContainers()) {
            String c = containers.start("noipv6", "--sysctl", "net.ipv6.conf.all.disable_ipv6=1");
            assertEquals("1", containers.execOk(c, "cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6").trimmed());
        }
    }

    @Test
    void ovsCreatesAndDeletesNetdevBridge() {
        Prerequisites.requireOvs();
        String br = "ovs" + HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup()) {
            host.createOvsBridge(br);
            assertEquals(0, Sh.run("ovs-vsctl", "br-exists", br).code(), "ovs-vsctl br-exists " + br);
            assertEquals("netdev", Sh.ok("ovs-vsctl", "get", "bridge", br, "datapath_type").trimmed());
            // With the userspace datapath the bridge's local port is a tap device.
            assertTrue(IpJson.link(null, br).isPresent(), "no host link for OVS bridge " + br);
        }
        assertEquals(2, Sh.run("ovs-vsctl", "br-exists", br).code(), "OVS bridge survived cleanup");
        assertTrue(IpJson.link(null, br).isEmpty(), "tap device of OVS bridge survived cleanup");
    }

    @Test
    void containersPingOverHandMadeVeth() {
        Prerequisites.requireDocker();
        String s = HostCleanup.uniqueSuffix();
        String a = "pwa" + s;
        String b = "pwb" + s;
        try (TestContainers containers = new TestContainers(); TestNetns netns = new TestNetns()) {
            String ca = containers.start("a");
            String cb = containers.start("b");
            netns.veth(a, b);
            netns.moveToPid(a, containers.pid(ca));
            netns.moveToPid(b, containers.pid(cb));
            containers.netOk(ca, "ip", "addr", "add", "192.0.2.1/24", "dev", a);
            containers.netOk(cb, "ip", "addr", "add", "192.0.2.2/24", "dev", b);
            assertTrue(IpJson.link(null, a).isEmpty(), "veth end still on host after move");
            assertEquals(List.of("192.0.2.1/24"), ipv4(IpJson.addresses(containers.pid(ca), a)));
            assertTrue(containers.ping(ca, "192.0.2.2"), "container a cannot ping b over veth");
            assertTrue(containers.ping(cb, "192.0.2.1"), "container b cannot ping a over veth");
            assertFalse(containers.ping(ca, "192.0.2.99"), "ping to an absent host succeeded");
        }
        assertTrue(IpJson.link(null, a).isEmpty() && IpJson.link(null, b).isEmpty(), "veth survived cleanup");
    }

    @Test
    void namedNetnsPingOverVeth() {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("ip");
        String s = HostCleanup.uniqueSuffix();
        String a = "pwa" + s;
        String b = "pwb" + s;
        List<String> names;
        try (TestNetns netns = new TestNetns()) {
            String na = netns.create("a");
            String nb = netns.create("b");
            netns.vethBetween(na, a, nb, b);
            netns.addAddress(na, a, "198.51.100.1/24");
            netns.addAddress(nb, b, "198.51.100.2/24");
            assertEquals(List.of("198.51.100.1/24"), ipv4(IpJson.addressesInNetns(na, a)));
            assertEquals("veth", IpJson.kind(IpJson.linkInNetns(nb, b).orElseThrow()).orElse(null));
            netns.ok(na, "ping", "-c", "1", "-W", "2", "198.51.100.2");
            // busybox ping behaves like the one inside the test image
            netns.ok(nb, "busybox", "ping", "-c", "1", "-W", "2", "198.51.100.1");
            names = netns.names();
        }
        String list = Sh.ok("ip", "netns", "list").out();
        for (String n : names) {
            assertFalse(list.contains(n), "netns " + n + " survived cleanup");
        }
    }

    @Test
    void containersPingThroughLinuxBridge() {
        Prerequisites.requireDocker();
        String s = HostCleanup.uniqueSuffix();
        String br = "br" + s;
        try (HostCleanup host = new HostCleanup(); TestContainers containers = new TestContainers()) {
            host.createBridge(br);
            String[] cs = {containers.start("x"), containers.start("y")};
            for (int i = 0; i < 2; i++) {
                String hostEnd = "pwh" + i + s;
                String guestEnd = "pwg" + i + s;
                host.createVeth(hostEnd, guestEnd);
                Sh.ok("ip", "link", "set", hostEnd, "master", br, "up");
                Sh.ok("ip", "link", "set", guestEnd, "netns", Integer.toString(containers.pid(cs[i])));
                containers.netOk(cs[i], "ip", "link", "set", guestEnd, "name", "eth1");
                containers.netOk(cs[i], "ip", "addr", "add", "192.0.2." + (10 + i) + "/24", "dev", "eth1");
                containers.netOk(cs[i], "ip", "link", "set", "eth1", "up");
                assertEquals(Optional.of(br), IpJson.master(hostEnd));
            }
            assertTrue(containers.ping(cs[0], "192.0.2.11"), "no ping through bridge " + br);
        }
        assertTrue(IpJson.link(null, br).isEmpty(), "bridge survived cleanup");
    }

    @Test
    void macvlanIntoContainer() {
        Prerequisites.requireDocker();
        Prerequisites.requireLinkType("macvlan", "macvlan");
        String s = HostCleanup.uniqueSuffix();
        String lower = "pwu" + s;
        String peer = "pwv" + s;
        String mv = "pwm" + s;
        try (HostCleanup host = new HostCleanup(); TestContainers containers = new TestContainers()) {
            host.createVeth(lower, peer);
            host.link(mv);
            Sh.ok("ip", "link", "add", "link", lower, "name", mv, "type", "macvlan", "mode", "bridge");
            String c = containers.start("mv");
            Sh.ok("ip", "link", "set", mv, "netns", Integer.toString(containers.pid(c)));
            Map<String, Object> link = IpJson.link(containers.pid(c), mv).orElseThrow();
            assertEquals("macvlan", IpJson.kind(link).orElse(null));
        }
    }

    @Test
    void kernelFeatureProbesAreClean() {
        Prerequisites.requireRoot();
        assertTrue(Prerequisites.linkTypeSupported("veth"));
        assertTrue(Prerequisites.linkTypeSupported("bridge"));
        // Answer depends on the kernel; only the absence of leftovers is checked.
        Prerequisites.linkTypeSupported("vlan");
        Prerequisites.linkTypeSupported("dummy");
        for (Map<String, Object> l : IpJson.links(null)) {
            String name = (String) l.get("ifname");
            assertFalse(name.startsWith("pwp") || name.startsWith("pwl") || name.startsWith("pwq"),
                    "probe link left behind: " + name);
        }
    }

    @Test
    void vlanWhereTheKernelHasIt() {
        Prerequisites.requireLinkType("vlan", "802.1Q VLAN");
        assertTrue(Prerequisites.linkTypeSupported("vlan"));
    }

    private static List<String> ipv4(List<String> addrs) {
        return addrs.stream().filter(a -> !a.contains(":")).toList();
    }
}
