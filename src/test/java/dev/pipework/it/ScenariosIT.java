package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Guest;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Reach;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;

/**
 * The four scenarios of the original pipework article, run end to end with
 * the built jar against real containers: what a user sees (who can ping
 * whom) and what the kernel and Open vSwitch hold afterwards.
 */
class ScenariosIT {

    /**
     * 3.1: containers on a new Linux bridge. Two in 10.0.0.0/24 reach each
     * other; a third in 10.0.1.0/24 on the same bridge reaches neither.
     */
    @Test
    void linuxBridgeBetweenContainers() {
        Prerequisites.requireDocker();
        String br;
        try (Rig rig = new Rig()) {
            br = rig.bridge();
            assertTrue(IpJson.link(null, br).isEmpty(), "bridge " + br + " must not exist before the test");

            Guest con1 = rig.container("con1");
            Guest con2 = rig.container("con2");
            Guest con3 = rig.container("con3");
            Map<Guest, String> addresses = Map.of(con1, "10.0.0.2/24", con2, "10.0.0.3/24", con3, "10.0.1.2/24");
            Map<Guest, String> broadcasts = Map.of(con1, "10.0.0.255", con2, "10.0.0.255", con3, "10.0.1.255");
            Set<String> expectedPorts = new TreeSet<>();
            for (Guest c : List.of(con1, con2, con3)) {
                expectedPorts.add("veth1pl" + c.pid());
                Sh.Result r = Pipework.ok(br, c.name(), addresses.get(c));
                assertEquals("", r.out(), "an attach prints nothing on stdout");
            }

            Map<String, Object> bridge = IpJson.link(null, br).orElseThrow(() -> new AssertionError("bridge not created"));
            assertEquals("bridge", IpJson.kind(bridge).orElse(null), br + " is not a Linux bridge");
            assertTrue(IpJson.flags(bridge).contains("UP"), "bridge is not up: " + IpJson.flags(bridge));
            assertEquals(expectedPorts, IpJson.bridgePorts(br), "ports of " + br);
            String bridgeMtu = IpJson.field(bridge, "mtu");

            for (Guest c : List.of(con1, con2, con3)) {
                int pid = c.pid();
                String veth = "veth1pl" + pid;
                Map<String, Object> hostEnd = IpJson.link(null, veth).orElseThrow();
                assertEquals("veth", IpJson.kind(hostEnd).orElse(null));
                assertEquals(Optional.of(br), IpJson.master(veth));
                assertTrue(IpJson.flags(hostEnd).contains("UP"), veth + " is not up");

                Map<String, Object> eth1 = IpJson.link(pid, "eth1")
                        .orElseThrow(() -> new AssertionError(c + " has no eth1"));
                assertEquals("veth", IpJson.kind(eth1).orElse(null));
                assertEquals(bridgeMtu, IpJson.field(eth1, "mtu"), "MTU of eth1 in " + c);
                assertEquals("UP", IpJson.field(eth1, "operstate"), "state of eth1 in " + c);
                List<Map<String, Object>> v4 = IpJson.ipv4Info(pid, "eth1");
                assertEquals(1, v4.size(), "IPv4 addresses of eth1 in " + c + ": " + v4);
                assertEquals(addresses.get(c), v4.get(0).get("local") + "/" + v4.get(0).get("prefixlen"));
                assertEquals(broadcasts.get(c), v4.get(0).get("broadcast"), "broadcast of eth1 in " + c);
                // The guest end was renamed: no v...pg name is left inside.
                assertTrue(IpJson.link(pid, "veth1pg" + pid).isEmpty());
            }

            assertTrue(Reach.eventually(con1, "10.0.0.3"), "con1 cannot ping con2");
            assertTrue(Reach.eventually(con2, "10.0.0.2"), "con2 cannot ping con1");
            assertFalse(Reach.once(con3, "10.0.0.2"), "con3 (other subnet) reached con1");
            assertFalse(Reach.once(con3, "10.0.0.3"), "con3 (other subnet) reached con2");
            assertFalse(Reach.once(con1, "10.0.1.2"), "con1 reached con3 in the other subnet");
        }
        assertTrue(IpJson.link(null, br).isEmpty(), "bridge survived cleanup");
    }

    /**
     * 3.2: a container on a bridge that the host's NIC then joins; the LAN
     * and its router are a namespace at the far end of a veth "cable".
     */
    @Test
    void bridgeSharedWithTheHostNic() {
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            String nic = "nic" + rig.suffix();
            Guest con4 = rig.container("con4");
            int pid = con4.pid();
            Pipework.ok(br, con4.name(), "192.168.100.11/24@192.168.100.254");

            String lan = rig.netns().cable("lan", nic, "lan" + rig.suffix(), "192.168.100.254/24");
            Sh.ok("ip", "link", "set", nic, "master", br);
            assertEquals(Optional.of(br), IpJson.master(nic));

            List<Map<String, Object>> defaults = IpJson.routes(pid).stream()
                    .filter(r -> "default".equals(r.get("dst"))).toList();
            assertEquals(1, defaults.size(), "default routes of con4: " + defaults);
            assertEquals("192.168.100.254", defaults.get(0).get("gateway"));
            assertEquals("eth1", defaults.get(0).get("dev"));

            assertTrue(Reach.eventually(con4, "192.168.100.254"), "con4 cannot ping the LAN router");
            assertTrue(Reach.eventuallyFromNetns(lan, "192.168.100.11"), "the LAN cannot ping con4");
        }
    }

    /**
     * 3.3: four containers in one subnet on a new Open vSwitch bridge, two
     * in VLAN 100 and two in VLAN 200: only VLAN mates reach each other.
     */
    @Test
    void openVswitchVlansIsolateOneSubnet() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        String ovs;
        try (Rig rig = new Rig()) {
            ovs = rig.ovsBridge();
            assertFalse(Ovs.bridgeExists(ovs), "OVS bridge " + ovs + " must not exist before the test");
            Guest[] guests = {rig.container("test1"), rig.container("test2"),
                    rig.container("test3"), rig.container("test4")};
            String[] ips = {"192.168.0.1", "192.168.0.2", "192.168.0.3", "192.168.0.4"};
            String[] vlans = {"100", "100", "200", "200"};

            List<String> ports = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ports.add("veth1pl" + guests[i].pid());
                Sh.Result r = Pipework.ok(ovs, guests[i].name(), ips[i] + "/24", "@" + vlans[i]);
                if (i == 0) {
                    assertTrue(r.err().contains("datapath_type=netdev"),
                            "creating the bridge without the kernel datapath should say so: " + r.err());
                } else {
                    assertFalse(r.err().contains("datapath_type"), "no notice when the bridge exists: " + r.err());
                }
            }

            assertTrue(Ovs.bridgeExists(ovs), "OVS bridge not created");
            assertEquals("netdev", Ovs.datapathType(ovs));
            assertEquals(new TreeSet<>(ports), new TreeSet<>(Ovs.ports(ovs)));
            for (int i = 0; i < 4; i++) {
                String port = ports.get(i);
                int pid = guests[i].pid();
                assertEquals(Optional.of(Long.parseLong(vlans[i])), Ovs.portTag(port), "tag of " + port);
                Map<String, String> expected = Map.of(
                        "pipework.interface", port,
                        "pipework.bridge", ovs,
                        "pipework.containerid", guests[i].id(),
                        "pipework.containername", "/" + guests[i].name(),
                        "pipework.nspid", Integer.toString(pid),
                        "pipework.vlan", vlans[i]);
                Map<String, String> actual = Ovs.interfaceExternalIds(port);
                assertEquals(expected, actual, "external-ids of " + port);
                assertTrue(actual.get("pipework.containerid").matches("[0-9a-f]{64}"));
                Map<String, Object> eth1 = IpJson.link(pid, "eth1").orElseThrow();
                assertEquals("UP", IpJson.field(eth1, "operstate"));
            }

            assertTrue(Reach.eventually(guests[0], ips[1]), "test1 cannot ping test2 (VLAN 100)");
            assertTrue(Reach.eventually(guests[1], ips[0]), "test2 cannot ping test1 (VLAN 100)");
            assertTrue(Reach.eventually(guests[2], ips[3]), "test3 cannot ping test4 (VLAN 200)");
            assertTrue(Reach.eventually(guests[3], ips[2]), "test4 cannot ping test3 (VLAN 200)");
            assertFalse(Reach.once(guests[0], ips[2]), "test1 (VLAN 100) reached test3 (VLAN 200)");
            assertFalse(Reach.once(guests[1], ips[3]), "test2 (VLAN 100) reached test4 (VLAN 200)");
        }
        assertFalse(Ovs.bridgeExists(ovs), "OVS bridge survived cleanup");
    }

    /**
     * 3.4: two "hosts", each an Open vSwitch bridge with a container in VLAN
     * 100 and one in VLAN 200; their "eth1" is a veth pair added to both
     * bridges as trunk ports. A VLAN spans both hosts; the VLANs stay apart.
     */
    @Test
    void vlansAcrossTwoHostsOverATrunk() {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        String ovsA;
        String ovsB;
        try (Rig rig = new Rig()) {
            ovsA = rig.host().ovsBridge("ovs" + rig.suffix() + "a");
            ovsB = rig.host().ovsBridge("ovs" + rig.suffix() + "b");
            String trunkA = "pta" + rig.suffix();
            String trunkB = "ptb" + rig.suffix();
            Guest a100 = rig.container("a100");
            Guest a200 = rig.container("a200");
            Guest b100 = rig.container("b100");
            Guest b200 = rig.container("b200");
            Pipework.ok(ovsA, a100.name(), "192.168.0.1/24", "@100");
            Pipework.ok(ovsA, a200.name(), "192.168.0.2/24", "@200");
            Pipework.ok(ovsB, b100.name(), "192.168.0.3/24", "@100");
            Pipework.ok(ovsB, b200.name(), "192.168.0.4/24", "@200");
            assertEquals("netdev", Ovs.datapathType(ovsA));
            assertEquals("netdev", Ovs.datapathType(ovsB));

            // Without the cable, the hosts are apart.
            assertFalse(Reach.once(a100, "192.168.0.3"), "hosts reach each other without a link");

            rig.host().createVeth(trunkA, trunkB);
            Ovs.vsctl("add-port", ovsA, trunkA);
            Ovs.vsctl("add-port", ovsB, trunkB);
            Sh.ok("ip", "link", "set", trunkA, "up");
            Sh.ok("ip", "link", "set", trunkB, "up");
            assertEquals(Optional.empty(), Ovs.portTag(trunkA), "the cable must be a trunk");
            assertEquals(Optional.empty(), Ovs.portTag(trunkB), "the cable must be a trunk");

            assertTrue(Reach.eventually(a100, "192.168.0.3"), "VLAN 100 does not span the hosts");
            assertTrue(Reach.eventually(b100, "192.168.0.1"), "VLAN 100 does not span the hosts");
            assertTrue(Reach.eventually(a200, "192.168.0.4"), "VLAN 200 does not span the hosts");
            assertTrue(Reach.eventually(b200, "192.168.0.2"), "VLAN 200 does not span the hosts");
            assertFalse(Reach.once(a100, "192.168.0.4"), "VLAN 100 reached VLAN 200 on the other host");
            assertFalse(Reach.once(a200, "192.168.0.3"), "VLAN 200 reached VLAN 100 on the other host");
            assertFalse(Reach.once(a100, "192.168.0.2"), "VLAN 100 reached VLAN 200 on the same host");
        }
        assertFalse(Ovs.bridgeExists(ovsA) || Ovs.bridgeExists(ovsB), "OVS bridge survived cleanup");
    }
}
