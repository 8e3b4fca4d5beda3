package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pipework.guest.DockerCliEngine;
import dev.pipework.guest.DockerContainer;
import dev.pipework.guest.DockerSocketEngine;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Reach;
import dev.pipework.it.support.RuntimeContainers;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.StatusTable;
import dev.pipework.it.support.TestContainers;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;

/**
 * Guests of rootful podman and of LXC 5, by name, on the real runtimes: the four scenarios of the
 * original article with each, a podman and an LXC container on one bridge, status, del and
 * {@code --json} naming the runtime, and the lookups themselves (LXC's {@code lxc.payload.<name>}
 * cgroup, podman's API socket and CLI, a name known to Docker and to podman).
 */
class OtherRuntimesIT {

    private static RuntimeContainers runtime(String key) {
        return key.equals("podman") ? RuntimeContainers.podman() : RuntimeContainers.lxc();
    }

    // ------------------------------------------------------------------ the four scenarios

    /** 3.1: two containers of one subnet on a new Linux bridge reach each other; a third, of another, neither. */
    @ParameterizedTest
    @ValueSource(strings = {"podman", "lxc"})
    void linuxBridgeBetweenContainers(String key) {
        String br = "br" + HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); RuntimeContainers containers = runtime(key)) {
            host.bridge(br);
            String con1 = containers.start("con1");
            String con2 = containers.start("con2");
            String con3 = containers.start("con3");
            Map<String, String> addresses = Map.of(con1, "10.0.0.2/24", con2, "10.0.0.3/24", con3, "10.0.1.2/24");
            for (String c : List.of(con1, con2, con3)) {
                int pid = containers.pid(c);
                host.link("veth1pl" + pid);
                assertEquals("", Pipework.ok(br, c, addresses.get(c)).out());
                assertEquals(Optional.of(br), IpJson.master("veth1pl" + pid));
                List<Map<String, Object>> v4 = IpJson.ipv4Info(pid, "eth1");
                assertEquals(1, v4.size(), "IPv4 addresses of eth1 in " + c + ": " + v4);
                assertEquals(addresses.get(c), v4.get(0).get("local") + "/" + v4.get(0).get("prefixlen"));
            }
            assertTrue(containers.pingEventually(con1, "10.0.0.3"), key + ": con1 cannot ping con2");
            assertTrue(containers.pingEventually(con2, "10.0.0.2"), key + ": con2 cannot ping con1");
            assertFalse(containers.pingOnce(con3, "10.0.0.2"), key + ": con3 (other subnet) reached con1");
            assertFalse(containers.pingOnce(con1, "10.0.1.2"), key + ": con1 reached con3 in the other subnet");
        }
        assertTrue(IpJson.link(null, br).isEmpty(), "bridge survived cleanup");
    }

    /** 3.2: a container with a gateway on a bridge that the host's NIC then joins reaches the LAN's router. */
    @ParameterizedTest
    @ValueSource(strings = {"podman", "lxc"})
    void bridgeSharedWithTheHostNic(String key) {
        String s = HostCleanup.uniqueSuffix();
        String br = "br" + s;
        String nic = "nic" + s;
        String wire = "lan" + s;
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns();
             RuntimeContainers containers = runtime(key)) {
            host.bridge(br);
            String con4 = containers.start("con4");
            int pid = containers.pid(con4);
            host.link("veth1pl" + pid);
            Pipework.ok(br, con4, "192.168.100.11/24@192.168.100.254");

            String lan = netns.create("lan");
            netns.veth(nic, wire);
            netns.moveAndUp(wire, lan);
            netns.addAddress(lan, wire, "192.168.100.254/24");
            Sh.ok("ip", "link", "set", nic, "master", br);
            Sh.ok("ip", "link", "set", nic, "up");

            List<Map<String, Object>> defaults = IpJson.routes(pid).stream()
                    .filter(r -> "default".equals(r.get("dst"))).toList();
            assertEquals(1, defaults.size(), "default routes of con4: " + defaults);
            assertEquals("192.168.100.254", defaults.get(0).get("gateway"));
            assertTrue(containers.pingEventually(con4, "192.168.100.254"), key + ": con4 cannot ping the LAN router");
            assertTrue(Reach.eventuallyFromNetns(lan, "192.168.100.11"), key + ": the LAN cannot ping con4");
        }
    }

    /** 3.3: four containers of one subnet on Open vSwitch, two in VLAN 100, two in VLAN 200. */
    @ParameterizedTest
    @ValueSource(strings = {"podman", "lxc"})
    void openVswitchVlansIsolateOneSubnet(String key) {
        Prerequisites.requireOvs();
        String ovs = "ovs" + HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); RuntimeContainers containers = runtime(key)) {
            host.ovsBridge(ovs);
            String[] names = {containers.start("test1"), containers.start("test2"),
                    containers.start("test3"), containers.start("test4")};
            String[] ips = {"192.168.0.1", "192.168.0.2", "192.168.0.3", "192.168.0.4"};
            String[] vlans = {"100", "100", "200", "200"};
            for (int i = 0; i < 4; i++) {
                int pid = containers.pid(names[i]);
                String port = host.link("veth1pl" + pid);
                Pipework.ok(ovs, names[i], ips[i] + "/24", "@" + vlans[i]);
                assertEquals(Optional.of(Long.parseLong(vlans[i])), Ovs.portTag(port), "tag of " + port);
                // podman's records are Docker's; an LXC container's are the original's: no ID, no name.
                Map<String, String> expected = new TreeMap<>(Map.of(
                        "pipework.interface", port,
                        "pipework.bridge", ovs,
                        "pipework.nspid", Integer.toString(pid),
                        "pipework.vlan", vlans[i]));
                if (key.equals("podman")) {
                    expected.put("pipework.containerid", containers.id(names[i]));
                    expected.put("pipework.containername", "/" + names[i]);
                }
                assertEquals(expected, new TreeMap<>(Ovs.interfaceExternalIds(port)), "external-ids of " + port);
            }
            assertTrue(containers.pingEventually(names[0], ips[1]), key + ": test1 cannot ping test2 (VLAN 100)");
            assertTrue(containers.pingEventually(names[3], ips[2]), key + ": test4 cannot ping test3 (VLAN 200)");
            assertFalse(containers.pingOnce(names[0], ips[2]), key + ": test1 (VLAN 100) reached test3 (VLAN 200)");
            assertFalse(containers.pingOnce(names[1], ips[3]), key + ": test2 (VLAN 100) reached test4 (VLAN 200)");
        }
        assertFalse(Ovs.bridgeExists(ovs), "OVS bridge survived cleanup");
    }

    /** 3.4: two Open vSwitch "hosts" joined by a trunk: a VLAN spans both, the VLANs stay apart. */
    @ParameterizedTest
    @ValueSource(strings = {"podman", "lxc"})
    void vlansAcrossTwoHostsOverATrunk(String key) {
        Prerequisites.requireOvs();
        String s = HostCleanup.uniqueSuffix();
        String ovsA = "ovs" + s + "a";
        String ovsB = "ovs" + s + "b";
        String trunkA = "pta" + s;
        String trunkB = "ptb" + s;
        try (HostCleanup host = new HostCleanup(); RuntimeContainers containers = runtime(key)) {
            host.ovsBridge(ovsA);
            host.ovsBridge(ovsB);
            String a100 = containers.start("a100");
            String a200 = containers.start("a200");
            String b100 = containers.start("b100");
            String b200 = containers.start("b200");
            attach(host, containers, ovsA, a100, "192.168.0.1/24", "@100");
            attach(host, containers, ovsA, a200, "192.168.0.2/24", "@200");
            attach(host, containers, ovsB, b100, "192.168.0.3/24", "@100");
            attach(host, containers, ovsB, b200, "192.168.0.4/24", "@200");
            assertFalse(containers.pingOnce(a100, "192.168.0.3"), key + ": hosts reach each other without a link");

            host.createVeth(trunkA, trunkB);
            Ovs.vsctl("add-port", ovsA, trunkA);
            Ovs.vsctl("add-port", ovsB, trunkB);
            Sh.ok("ip", "link", "set", trunkA, "up");
            Sh.ok("ip", "link", "set", trunkB, "up");

            assertTrue(containers.pingEventually(a100, "192.168.0.3"), key + ": VLAN 100 does not span the hosts");
            assertTrue(containers.pingEventually(b200, "192.168.0.2"), key + ": VLAN 200 does not span the hosts");
            assertFalse(containers.pingOnce(a100, "192.168.0.4"), key + ": VLAN 100 reached VLAN 200 across");
            assertFalse(containers.pingOnce(a200, "192.168.0.3"), key + ": VLAN 200 reached VLAN 100 across");
        }
        assertFalse(Ovs.bridgeExists(ovsA) || Ovs.bridgeExists(ovsB), "OVS bridge survived cleanup");
    }

    private static void attach(HostCleanup host, RuntimeContainers containers, String bridge, String container,
                               String... rest) {
        host.link("veth1pl" + containers.pid(container));
        List<String> args = new ArrayList<>(List.of(bridge, container));
        args.addAll(List.of(rest));
        Pipework.ok(args.toArray(String[]::new));
    }

    // ------------------------------------------------------------------ the two runtimes together

    /** A podman container and an LXC container on one bridge reach each other; status, --json and del name both. */
    @Test
    void podmanAndLxcOnOneBridge() {
        String br = "br" + HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); RuntimeContainers podman = RuntimeContainers.podman();
             RuntimeContainers lxc = RuntimeContainers.lxc()) {
            host.bridge(br);
            String p = podman.start("pod");
            String l = lxc.start("lxc");
            int pPid = podman.pid(p);
            int lPid = lxc.pid(l);
            host.link("veth1pl" + pPid);
            host.link("veth1pl" + lPid);

            Map<String, Object> attached = Json.object(Json.parse(Pipework.ok("--json", br, p, "10.74.0.4/24").out()));
            assertEquals("podman", Json.object(attached.get("guest")).get("kind"));
            assertEquals(p, Json.object(attached.get("guest")).get("name"));
            assertEquals(podman.id(p), Json.object(attached.get("guest")).get("id"));
            attached = Json.object(Json.parse(Pipework.ok("--json", br, l, "10.74.0.3/24").out()));
            assertEquals("lxc", Json.object(attached.get("guest")).get("kind"));
            assertEquals(l, Json.object(attached.get("guest")).get("name"));
            assertNull(Json.object(attached.get("guest")).get("id"));

            assertTrue(lxc.pingEventually(l, "10.74.0.4"), "the LXC container cannot ping the podman container");
            assertTrue(podman.pingEventually(p, "10.74.0.3"), "the podman container cannot ping the LXC container");

            // status lists both, by name, without being told about them.
            Map<String, List<String>> rows = new TreeMap<>();
            for (List<String> row : StatusTable.rows(Pipework.ok("status"))) {
                rows.put(row.get(0), row);
            }
            assertEquals(List.of(p, podman.id(p).substring(0, 12), Integer.toString(pPid), "eth1", "10.74.0.4/24"),
                    rows.get(p).subList(0, 5), "status row of the podman container");
            assertEquals(List.of(l, "-", Integer.toString(lPid), "eth1", "10.74.0.3/24"),
                    rows.get(l).subList(0, 5), "status row of the LXC container");
            for (String c : List.of(p, l)) {
                List<Object> items = Json.array(Json.object(Json.parse(Pipework.ok("status", c, "--json").out()))
                        .get("attachments"));
                assertEquals(1, items.size(), c + ": " + items);
                Map<String, Object> guest = Json.object(Json.object(items.get(0)).get("guest"));
                assertEquals(c.equals(p) ? "podman" : "lxc", guest.get("kind"));
                assertEquals(c, guest.get("name"));
            }

            // del, by name, for each.
            Pipework.ok("del", p);
            Pipework.ok("del", l);
            assertTrue(IpJson.link(pPid, "eth1").isEmpty(), "eth1 still in the podman container");
            assertTrue(IpJson.link(lPid, "eth1").isEmpty(), "eth1 still in the LXC container");
            assertTrue(IpJson.link(null, "veth1pl" + pPid).isEmpty());
            assertTrue(IpJson.link(null, "veth1pl" + lPid).isEmpty());
            Sh.Result again = Pipework.run("del", l);
            assertEquals(0, again.code(), again.describe());
            assertTrue(again.err().contains("LXC container \"" + l + "\""), again.err());
            again = Pipework.run("del", p);
            assertTrue(again.err().contains("podman container \"" + p + "\""), again.err());
        }
    }

    // ------------------------------------------------------------------ the lookups

    /** LXC 5 keeps the container's cgroup at lxc.payload.<name>: found by name, the PID lxc-info gives. */
    @Test
    void anLxcContainerIsFoundByNameUnderItsPayloadCgroup() {
        try (RuntimeContainers lxc = RuntimeContainers.lxc()) {
            String l = lxc.start("byname");
            int pid = lxc.pid(l);
            boolean payload = Files.isDirectory(Path.of("/sys/fs/cgroup/devices/lxc.payload." + l))
                    || Files.isDirectory(Path.of("/sys/fs/cgroup/unified/lxc.payload." + l))
                    || Files.isDirectory(Path.of("/sys/fs/cgroup/lxc.payload." + l));
            assertTrue(payload, "no lxc.payload." + l + " cgroup: is this LXC 4 or later?");
            assertFalse(Files.exists(Path.of("/sys/fs/cgroup/devices/" + l)), "a cgroup of the plain name");
            Sh.Result dry = Pipework.ok("--dry-run", "brx", l, "10.75.0.2/24");
            assertTrue(dry.out().contains("veth1pl" + pid), dry.out());
            Sh.Result missing = Pipework.run("brx", l + "-none", "10.75.0.2/24");
            assertEquals(1, missing.code(), missing.describe());
            assertEquals("Container " + l + "-none not found, and unknown to Docker.", missing.err().strip());
        }
    }

    /** podman's socket and its CLI agree; a name known to Docker and to podman is Docker's. */
    @Test
    void podmanByNameAndIdAndTheOrderWithDocker() throws Exception {
        Prerequisites.requireDocker();
        try (RuntimeContainers podman = RuntimeContainers.podman()) {
            String p = podman.start("order");
            String id = podman.id(p);
            int pid = podman.pid(p);

            DockerContainer viaSocket = new DockerSocketEngine(Path.of("/run/podman/podman.sock")).inspect(p)
                    .orElseThrow();
            DockerContainer viaCli = new DockerCliEngine("podman", DockerCliEngine.DEFAULT_TIMEOUT, new dev.pipework.exec.ProcessCommandRunner()).inspect(p)
                    .orElseThrow();
            // Started once and never stopped: State.FinishedAt is Go's zero time in both answers.
            assertEquals(new DockerContainer(id, "/" + p, pid, true, viaSocket.labels(), false), viaSocket);
            assertEquals(new DockerContainer(id, p, pid, true, viaSocket.labels(), false), viaCli);
            assertEquals("1", viaSocket.labels().get("dev.pipework.it"), "labels: " + viaSocket.labels());

            for (String token : List.of(p, id, id.substring(0, 12))) {
                Sh.Result dry = Pipework.ok("--dry-run", "brx", token, "10.75.0.2/24");
                assertTrue(dry.out().contains("veth1pl" + pid), token + ": " + dry.out());
            }

            // A Docker container of the same name comes first, as the documented order says.
            Sh.ok(List.of("docker", "run", "-d", "--net=none", "--name", p, "--label", TestContainers.LABEL + "=1",
                    Prerequisites.TEST_IMAGE, "sleep", "3600"), Pipework.DEFAULT_TIMEOUT);
            try (HostCleanup host = new HostCleanup()) {
                int dockerPid = Integer.parseInt(Sh.ok("docker", "inspect", "--format", "{{.State.Pid}}", p).trimmed());
                String br = host.bridge("br" + HostCleanup.uniqueSuffix());
                host.link("veth1pl" + dockerPid);
                Map<String, Object> guest = Json.object(Json.object(Json.parse(
                        Pipework.ok("--json", br, p, "10.75.0.3/24").out())).get("guest"));
                assertEquals("docker", guest.get("kind"), Json.write(guest));
                assertEquals(dockerPid, ((Number) guest.get("pid")).intValue());
                assertTrue(IpJson.link(pid, "eth1").isEmpty(), "the podman container got the interface");
            } finally {
                Sh.run("docker", "rm", "-f", p);
            }
        }
    }
}
