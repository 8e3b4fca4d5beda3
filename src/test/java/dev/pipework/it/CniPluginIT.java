package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Cni;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;

/**
 * pipework as a CNI plugin, driven directly as a runtime drives it: the verb and the container in
 * the environment, the configuration on stdin, the reference {@code host-local} for addresses.
 */
class CniPluginIT {
    private static final Path RECORDS = Path.of("/run/pipework/cni");

    private static String config(String version, String network, String bridgeKey, String bridge, String extra,
                                 String subnet, Path dataDir) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + network + "\",\"type\":\"pipework\",\""
                + bridgeKey + "\":\"" + bridge + "\"" + extra + ",\"ipam\":{\"type\":\"host-local\",\"subnet\":\""
                + subnet + "\",\"gateway\":\"" + subnet.replaceFirst("0/24$", "1") + "\",\"routes\":[{\"dst\":\"0.0.0.0/0\"},"
                + "{\"dst\":\"10.254.0.0/16\"}],\"dataDir\":\"" + dataDir + "\"}}";
    }

    private static List<String> leases(Path dataDir, String network) throws IOException {
        Path dir = dataDir.resolve(network);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f.:]+") && n.contains("."))
                    .sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Object root, String... keys) {
        return (Map<String, Object>) Json.at(root, keys);
    }

    /** ADD, status, CHECK (and its drift), DEL twice, DEL with the namespace gone: on a Linux bridge created on first use. */
    @Test
    void addCheckDelOnALinuxBridge() throws IOException {
        Cni.requirePlugins("host-local");
        String s = HostCleanup.uniqueSuffix();
        Path data = Files.createTempDirectory("pw-cni-ipam");
        String network = "pwnet" + s;
        String id = "cnitest" + s + "a";
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String br = host.bridge("br" + s);
            String ns = netns.create("cni");
            String path = "/var/run/netns/" + ns;
            String conf = config("1.0.0", network, "bridge", br, ",\"mtu\":1400", "10.231.7.0/24", data);
            Map<String, Object> result = Cni.add(id, path, "eth0", conf);

            assertAll(
                    () -> assertEquals("1.0.0", result.get("cniVersion")),
                    () -> assertEquals("eth0", Json.at(result, "interfaces", "1", "name")),
                    () -> assertEquals(path, Json.at(result, "interfaces", "1", "sandbox")),
                    () -> assertEquals(null, Json.at(result, "interfaces", "0", "sandbox")),
                    () -> assertEquals("10.231.7.2/24", Json.at(result, "ips", "0", "address")),
                    () -> assertEquals(1L, Json.at(result, "ips", "0", "interface")),
                    () -> assertEquals(null, Json.at(result, "ips", "0", "version"), "no ips[].version from 1.0.0 on"),
                    () -> assertEquals(2, Json.array(result.get("routes")).size()));
            String hostEnd = (String) Json.at(result, "interfaces", "0", "name");
            assertTrue(Sh.ok("ip", "-o", "link", "show", hostEnd).out().contains("master " + br));
            assertTrue(Sh.ok("ip", "-o", "link", "show", hostEnd).out().contains("mtu 1400"));
            assertTrue(netns.ok(ns, "ip", "-o", "addr", "show", "dev", "eth0").out().contains("10.231.7.2/24"));
            String routes = netns.ok(ns, "ip", "route").out();
            assertTrue(routes.contains("default via 10.231.7.1 dev eth0"), routes);
            assertTrue(routes.contains("10.254.0.0/16 via 10.231.7.1 dev eth0"), routes);
            assertEquals(List.of("10.231.7.2"), leases(data, network));

            String status = Pipework.ok("status").out();
            assertTrue(status.lines().anyMatch(l -> l.startsWith(id + " ") && l.contains(hostEnd) && l.contains(br)), status);
            // Its ID is no engine's (64 hex digits): the ID column has it whole, not its first 12 characters.
            assertTrue(status.lines().anyMatch(l -> List.of(l.split("\\s+")).subList(0, 2).equals(List.of(id, id))), status);

            String withPrev = Cni.with(conf, "prevResult", result);
            Sh.Result check = Cni.run("CHECK", id, path, "eth0", withPrev);
            assertEquals(0, check.code(), check.describe());

            // An address that names an interface prevResult does not list is no pass.
            Map<String, Object> badIndex = Json.object(Json.parse(Json.write(result)));
            for (Object ip : Json.array(badIndex.get("ips"))) {
                Json.object(ip).put("interface", 7L);
            }
            Sh.Result noSuchInterface = Cni.run("CHECK", id, path, "eth0", Cni.with(conf, "prevResult", badIndex));
            assertEquals(102L, Json.object(Json.parse(noSuchInterface.out())).get("code"), noSuchInterface.describe());

            netns.ok(ns, "ip", "route", "del", "10.254.0.0/16");
            Sh.Result drifted = Cni.run("CHECK", id, path, "eth0", withPrev);
            assertNotEquals(0, drifted.code());
            Map<String, Object> error = Json.object(Json.parse(drifted.out()));
            assertEquals(102L, error.get("code"));
            assertTrue(((String) error.get("msg")).contains("route 10.254.0.0/16 via 10.231.7.1 is missing"), drifted.out());

            for (int i = 0; i < 2; i++) {
                Sh.Result del = Cni.run("DEL", id, path, "eth0", withPrev);
                assertEquals(0, del.code(), del.describe());
                assertEquals("", del.out());
            }
            assertFalse(Sh.run("ip", "link", "show", hostEnd).success(), "host end removed");
            assertEquals("lo", netns.ok(ns, "ls", "/sys/class/net").trimmed());
            assertEquals(List.of(), leases(data, network));
            assertFalse(Files.exists(RECORDS.resolve(id + ":eth0.json")));

            // DEL once the namespace is gone, and DEL with no namespace at all.
            Cni.add(id, path, "eth0", conf);
            Sh.ok("ip", "netns", "del", ns);
            assertEquals(0, Cni.run("DEL", id, path, "eth0", conf).code());
            assertEquals(0, Cni.run("DEL", id, "", "eth0", conf).code());
            assertEquals(List.of(), leases(data, network));
            assertFalse(Files.exists(RECORDS.resolve(id + ":eth0.json")));
        }
    }

    /** An OVS bridge with a tag, a spec 0.3.1 result, the MAC from CNI_ARGS, and DEL after the namespace went. */
    @Test
    void ovsTagAndOlderResultVersion() throws IOException {
        Prerequisites.requireOvs();
        Cni.requirePlugins("host-local");
        String s = HostCleanup.uniqueSuffix();
        Path data = Files.createTempDirectory("pw-cni-ipam");
        String network = "pwovs" + s;
        String id = "cnitest" + s + "b";
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String ovs = host.ovsBridge("ovs" + s);
            String ns = netns.create("cniovs");
            String path = "/var/run/netns/" + ns;
            String conf = config("0.3.1", network, "bridge", ovs, ",\"vlan\":100", "10.231.8.0/24", data);
            Sh.Result r = Cni.run(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", id, "CNI_NETNS", path,
                    "CNI_IFNAME", "net1", "CNI_PATH", Cni.PLUGINS,
                    "CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=web;MAC=02:00:00:00:aa:01"), conf);
            assertEquals(0, r.code(), r.describe());
            Map<String, Object> result = Json.object(Json.parse(r.out()));
            assertAll(
                    () -> assertEquals("0.3.1", result.get("cniVersion")),
                    () -> assertEquals("4", Json.at(result, "ips", "0", "version")),
                    () -> assertEquals("02:00:00:00:aa:01", Json.at(result, "interfaces", "1", "mac")));
            String hostEnd = (String) Json.at(result, "interfaces", "0", "name");
            assertEquals("100", Sh.ok("ovs-vsctl", "get", "port", hostEnd, "tag").trimmed());
            assertEquals(id, Sh.ok("ovs-vsctl", "get", "interface", hostEnd,
                    "external-ids:pipework.containerid").trimmed().replace("\"", ""));
            Sh.Result check = Cni.run("CHECK", id, path, "net1", Cni.with(conf, "prevResult", result));
            assertEquals(1L, Json.object(Json.parse(check.out())).get("code"), "no CHECK before 0.4.0");
            Sh.Result check040 = Cni.run("CHECK", id, path, "net1",
                    Cni.with(conf.replace("0.3.1", "0.4.0"), "prevResult", result));
            assertEquals(0, check040.code(), check040.describe());

            Sh.ok("ip", "netns", "del", ns);
            Sh.Result del = Cni.run("DEL", id, path, "net1", conf);
            assertEquals(0, del.code(), del.describe());
            assertFalse(Sh.ok("ovs-vsctl", "list-ports", ovs).out().contains(hostEnd), "the OVS port went with DEL");
            assertEquals(List.of(), leases(data, network));
        }
    }

    /**
     * A container on two Open vSwitch networks: the DEL of one leaves the other's port (its record
     * names the container's namespace, whose link is there: not stale).
     */
    @Test
    void delOfOneOpenVswitchNetworkLeavesTheOthersPort() throws IOException {
        Prerequisites.requireOvs();
        Cni.requirePlugins("host-local");
        String s = HostCleanup.uniqueSuffix();
        Path data = Files.createTempDirectory("pw-cni-ipam");
        String id = "cnitest" + s + "t";
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String first = host.ovsBridge("ovsa" + s);
            String second = host.ovsBridge("ovsb" + s);
            String path = "/var/run/netns/" + netns.create("cnitwo");
            String confA = config("1.0.0", "pwta" + s, "bridge", first, "", "10.231.10.0/24", data);
            // The second network without routes: the first's default route and 10.254.0.0/16 are there.
            String confB = config("1.0.0", "pwtb" + s, "bridge", second, "", "10.231.11.0/24", data)
                    .replace("[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"10.254.0.0/16\"}]", "[]");
            Cni.add(id, path, "net1", confA);
            String portB = (String) Json.at(Cni.add(id, path, "net2", confB), "interfaces", "0", "name");
            assertEquals(portB, Sh.ok("ovs-vsctl", "list-ports", second).trimmed());

            Sh.Result del = Cni.run("DEL", id, path, "net1", confA);
            assertEquals(0, del.code(), del.describe());
            assertEquals("", Sh.ok("ovs-vsctl", "list-ports", first).trimmed());
            assertEquals(portB, Sh.ok("ovs-vsctl", "list-ports", second).trimmed(), "the other network's port");
            assertEquals(id, Sh.ok("ovs-vsctl", "get", "interface", portB,
                    "external-ids:pipework.containerid").trimmed().replace("\"", ""));
            Sh.Result delB = Cni.run("DEL", id, path, "net2", confB);
            assertEquals(0, delB.code(), delB.describe());
            assertEquals("", Sh.ok("ovs-vsctl", "list-ports", second).trimmed());
        }
    }

    /** VERSION, STATUS and GC (1.1.0) through stdin and the environment. */
    @Test
    void versionStatusAndGc() throws IOException {
        Cni.requirePlugins("host-local");
        Sh.Result version = Cni.run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.1.0\"}");
        assertEquals(0, version.code());
        assertEquals(List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"),
                Json.at(Json.parse(version.out()), "supportedVersions"));

        String s = HostCleanup.uniqueSuffix();
        Path data = Files.createTempDirectory("pw-cni-ipam");
        String network = "pwgc" + s;
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String br = host.bridge("br" + s);
            String conf = config("1.1.0", network, "bridge", br, "", "10.231.9.0/24", data);
            Sh.Result status = Cni.run(Map.of("CNI_COMMAND", "STATUS", "CNI_PATH", Cni.PLUGINS), conf);
            assertEquals(0, status.code(), status.describe());
            Sh.Result unavailable = Cni.run(Map.of("CNI_COMMAND", "STATUS", "CNI_PATH", "/nonexistent"), conf);
            assertNotEquals(0, unavailable.code());
            assertEquals(50L, Json.object(Json.parse(unavailable.out())).get("code"));

            String keep = "cnikeep" + s;
            String drop = "cnidrop" + s;
            String nsKeep = netns.create("keep");
            String nsDrop = netns.create("drop");
            Cni.add(keep, "/var/run/netns/" + nsKeep, "eth0", conf);
            Map<String, Object> dropped = Cni.add(drop, "/var/run/netns/" + nsDrop, "eth0", conf);
            String dropHost = (String) Json.at(dropped, "interfaces", "0", "name");
            assertEquals(2, leases(data, network).size());

            String gc = Cni.with(conf, "cni.dev/valid-attachments",
                    List.of(Map.of("containerID", keep, "ifname", "eth0")));
            Sh.Result r = Cni.run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", Cni.PLUGINS), gc);
            assertEquals(0, r.code(), r.describe());
            assertFalse(Sh.run("ip", "link", "show", dropHost).success(), "the stale attachment's veth is gone");
            assertEquals("lo", netns.ok(nsDrop, "ls", "/sys/class/net").trimmed());
            assertTrue(netns.ok(nsKeep, "ls", "/sys/class/net").out().contains("eth0"), "the valid one stays");
            assertEquals(List.of("10.231.9.2"), leases(data, network));
            assertEquals(0, Cni.run("DEL", keep, "/var/run/netns/" + nsKeep, "eth0", conf).code());
        }
    }

    /** A command fails once the address is allocated: the veth is undone and the address released. */
    @Test
    void aFailureMidwayLeavesNothing() throws IOException {
        Cni.requirePlugins("host-local");
        String s = HostCleanup.uniqueSuffix();
        Path data = Files.createTempDirectory("pw-cni-ipam");
        String network = "pwfail" + s;
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String br = host.createBridge("br" + s);
            String ns = netns.create("fail");
            // A next hop outside every subnet of the interface: the kernel refuses the route.
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + network + "\",\"type\":\"pipework\",\"bridge\":\""
                    + br + "\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.231.10.0/24\",\"routes\":"
                    + "[{\"dst\":\"10.99.0.0/16\",\"gw\":\"192.0.2.1\"}],\"dataDir\":\"" + data + "\"}}";
            String linksBefore = Cni.hostLinks(s, "/var/run/netns/" + ns, "eth0");
            Sh.Result r = Cni.run("ADD", "cnifail" + s, "/var/run/netns/" + ns, "eth0", conf);
            assertNotEquals(0, r.code());
            Map<String, Object> error = Json.object(Json.parse(r.out()));
            assertEquals(100L, error.get("code"), r.out());
            assertEquals(linksBefore, Cni.hostLinks(s, "/var/run/netns/" + ns, "eth0"));
            assertEquals("lo", netns.ok(ns, "ls", "/sys/class/net").trimmed());
            assertEquals(List.of(), leases(data, network));
            assertFalse(Files.exists(RECORDS.resolve("cnifail" + s + ":eth0.json")));
        }
    }
}
