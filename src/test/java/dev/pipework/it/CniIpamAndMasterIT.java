package dev.pipework.it;

import dev.pipework.guest.CniRecords;
import dev.pipework.it.support.Cni;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CNI plugin with the reference {@code static} IPAM plugin, and on a NIC ({@code master}: a
 * macvlan, as the command line makes for a NIC). A veth pair stands in for the NIC, its peer in a
 * "LAN" namespace.
 */
class CniIpamAndMasterIT {

    /** {@code static}: the address and route it returns are on the interface; DEL takes the interface away. */
    @Test
    void staticIpamOnALinuxBridge() {
        Cni.requirePlugins("static");
        String s = HostCleanup.uniqueSuffix();
        String id = "cnistatic" + s;
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String br = host.bridge("br" + s);
            String ns = netns.create("cnist");
            String path = "/var/run/netns/" + ns;
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"pwst" + s + "\",\"type\":\"pipework\",\"bridge\":\"" + br
                    + "\",\"ipam\":{\"type\":\"static\",\"addresses\":[{\"address\":\"10.233.5.9/24\","
                    + "\"gateway\":\"10.233.5.1\"}],\"routes\":[{\"dst\":\"10.254.0.0/16\"}]}}";
            Map<String, Object> result = Cni.add(id, path, "eth0", conf);
            assertEquals("10.233.5.9/24", Json.at(result, "ips", "0", "address"), Json.write(result));
            assertTrue(IpJson.addressesInNetns(ns, "eth0").contains("10.233.5.9/24"),
                    "addresses: " + IpJson.addressesInNetns(ns, "eth0"));
            String routes = netns.ok(ns, "ip", "route", "show").out();
            assertTrue(routes.contains("10.254.0.0/16 via 10.233.5.1 dev eth0"), routes);

            Sh.Result del = Cni.run("DEL", id, path, "eth0", conf);
            assertEquals(0, del.code(), del.describe());
            assertEquals(Optional.empty(), IpJson.linkInNetns(ns, "eth0"));
        }
    }

    /** {@code master}: a macvlan on the NIC reaches the LAN; DEL deletes it; nothing named for it is left on the host. */
    @Test
    void masterIsAMacvlanOnTheNic() {
        Cni.requirePlugins("static");
        String s = HostCleanup.uniqueSuffix();
        String id = "cnimaster" + s;
        try (TestNetns netns = new TestNetns()) {
            String lan = netns.create("cnilan");
            String nic = "nic" + s;
            netns.veth(nic, "lan" + s);
            netns.moveAndUp("lan" + s, lan);
            netns.addAddress(lan, "lan" + s, "10.233.6.254/24");
            Sh.ok("ip", "link", "set", nic, "up");
            String ns = netns.create("cnimv");
            String path = "/var/run/netns/" + ns;
            String conf = "{\"cniVersion\":\"0.4.0\",\"name\":\"pwmv" + s + "\",\"type\":\"pipework\",\"master\":\"" + nic
                    + "\",\"ipam\":{\"type\":\"static\",\"addresses\":[{\"address\":\"10.233.6.9/24\"}]}}";
            Cni.add(id, path, "eth0", conf);
            Map<String, Object> eth0 = IpJson.linkInNetns(ns, "eth0").orElseThrow();
            assertEquals(Optional.of("macvlan"), IpJson.kind(eth0), Json.write(eth0));
            assertTrue(Poll.within(Duration.ofSeconds(8), Poll.TICK,
                    () -> netns.exec(ns, "ping", "-c", "1", "-W", "1", "10.233.6.254").code() == 0),
                    "the macvlan does not reach the LAN");

            Sh.Result del = Cni.run("DEL", id, path, "eth0", conf);
            assertEquals(0, del.code(), del.describe());
            assertEquals(Optional.empty(), IpJson.linkInNetns(ns, "eth0"));
            List<Map<String, Object>> left = IpJson.links(null).stream()
                    .filter(l -> String.valueOf(l.get("ifname")).startsWith("ph")
                            && nic.equals(String.valueOf(l.get("link")))).toList();
            assertEquals(List.of(), left, "macvlans of " + nic + " left on the host");
        }
    }

    /**
     * An IPAM plugin that hangs (and has started a process of its own that hangs too): ADD fails
     * with an error object once {@code ipamTimeout} has passed, the plugin and its child are gone,
     * and nothing was made: no link on the host or in the namespace, no record.
     */
    @Test
    void aHangingIpamPluginFailsAddAtItsBoundLeavingNothing() throws Exception {
        Prerequisites.requireRoot();
        String s = HostCleanup.uniqueSuffix();
        String id = "cnihang" + s;
        Path bin = Files.createTempDirectory("pw-cni-hang");
        Path pids = bin.resolve("pids");
        Path plugin = Files.writeString(bin.resolve("hang"), "#!/bin/sh\ncat >/dev/null\nsleep 300 &\n"
                + "echo $! >> '" + pids + "'\necho $$ >> '" + pids + "'\nsleep 300\n");
        plugin.toFile().setExecutable(true);
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String br = host.bridge("br" + s);
            String ns = netns.create("cnihang");
            String path = "/var/run/netns/" + ns;
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"pwhang" + s + "\",\"type\":\"pipework\",\"bridge\":\""
                    + br + "\",\"ipamTimeout\":2,\"ipam\":{\"type\":\"hang\"}}";
            Map<String, String> env = new java.util.LinkedHashMap<>();
            env.put("CNI_COMMAND", "ADD");
            env.put("CNI_CONTAINERID", id);
            env.put("CNI_NETNS", path);
            env.put("CNI_IFNAME", "eth0");
            env.put("CNI_PATH", bin.toString());
            long t0 = System.nanoTime();
            Sh.Result add = Cni.run(env, conf);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertEquals(1, add.code(), add.describe());
            Map<String, Object> error = Json.object(Json.parse(add.out()));
            assertEquals(101L, error.get("code"), add.out());
            assertTrue(String.valueOf(error.get("msg")).contains("did not finish within 2 s"), add.out());
            assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0 && took.compareTo(Duration.ofSeconds(20)) < 0,
                    "ADD took " + took);

            List<String> started = Files.readAllLines(pids);
            assertEquals(2, started.size(), "the plugin and its child: " + started);
            for (String pid : started) {
                assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> gone(pid)),
                        "process " + pid + " of the IPAM plugin is still there");
            }
            assertEquals(List.of(), runningFrom(bin), "processes of the IPAM plugin left");
            assertEquals("", Cni.hostLinks(s, path, "eth0"), "host links left");
            assertEquals(Optional.empty(), IpJson.linkInNetns(ns, "eth0"));
            assertEquals(Optional.empty(), new CniRecords(CniRecords.DEFAULT_DIR).read(id, "eth0"));
        } finally {
            Files.deleteIfExists(pids);
            Files.deleteIfExists(plugin);
            Files.deleteIfExists(bin);
        }
    }

    /** Gone, or a zombie waiting for its new parent to reap it. */
    private static boolean gone(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }

    /** The processes whose command line names a file of that directory. */
    private static List<String> runningFrom(Path dir) throws java.io.IOException {
        List<String> found = new java.util.ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(q -> q.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (cmdline.contains(dir.toString()) && !gone(p.getFileName().toString())) {
                        found.add(p.getFileName() + ": " + cmdline);
                    }
                } catch (java.io.IOException e) {
                    // ended meanwhile
                }
            }
        }
        return found;
    }
}
