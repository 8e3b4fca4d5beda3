package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Cni;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;

/**
 * Bad configurations and environments: each gives the specification's error object on stdout, a
 * non-zero exit, and leaves the host (links, bridges), the namespace, the IPAM plugin's leases and
 * pipework's records as they were. The bridge named is one that would be created on first use.
 */
class CniBadConfigIT {

    private record Case(String name, long code, Map<String, String> env, String config) {
    }

    @Test
    void eachBadInputIsAnErrorObjectAndChangesNothing() throws IOException {
        Cni.requirePlugins("host-local");
        String s = HostCleanup.uniqueSuffix();
        Path data = Files.createTempDirectory("pw-cni-ipam");
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String br = host.bridge("br" + s);
            host.ovsBridge("ovs" + s);
            String ns = netns.create("bad");
            // A NIC (one end of a veth pair, not a bridge) to name as a network's "bridge".
            String nic = "pwn" + s;
            host.createVeth(nic, "pwm" + s);
            String path = "/var/run/netns/" + ns;
            String ipam = ",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.231.11.0/24\",\"dataDir\":\"" + data + "\"}";
            String head = "{\"cniVersion\":\"1.0.0\",\"name\":\"pwbad" + s + "\",\"type\":\"pipework\"";
            Map<String, String> env = new LinkedHashMap<>(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "cnibad" + s,
                    "CNI_NETNS", path, "CNI_IFNAME", "eth0", "CNI_PATH", Cni.PLUGINS));
            Map<String, String> noNetns = new LinkedHashMap<>(env);
            noNetns.remove("CNI_NETNS");
            Map<String, String> longIfname = new LinkedHashMap<>(env);
            longIfname.put("CNI_IFNAME", "averyveryverylongname");
            Map<String, String> unknownArg = new LinkedHashMap<>(env);
            unknownArg.put("CNI_ARGS", "K8S_POD_NAME=web");
            List<Case> cases = List.of(
                    new Case("vlan out of range", 4, env, head + ",\"bridge\":\"ovs" + s + "\",\"vlan\":4095" + ipam + "}"),
                    new Case("multicast MAC", 4, env, head + ",\"bridge\":\"" + br + "\",\"mac\":\"01:00:5e:00:00:01\"" + ipam + "}"),
                    new Case("unknown IPAM plugin", 4, env, head + ",\"bridge\":\"" + br + "\",\"ipam\":{\"type\":\"no-such-ipam\"}}"),
                    new Case("vlan as a string", 6, env, head + ",\"bridge\":\"ovs" + s + "\",\"vlan\":\"100\"" + ipam + "}"),
                    new Case("bridge as a number", 6, env, head + ",\"bridge\":42" + ipam + "}"),
                    new Case("neither bridge nor master", 4, env, head + ipam + "}"),
                    new Case("both bridge and master", 4, env, head + ",\"bridge\":\"" + br + "\",\"master\":\"lo\"" + ipam + "}"),
                    new Case("unsupported cniVersion", 1, env, head.replace("1.0.0", "0.2.0") + ",\"bridge\":\"" + br + "\"" + ipam + "}"),
                    new Case("missing CNI_NETNS", 7, noNetns, head + ",\"bridge\":\"" + br + "\"" + ipam + "}"),
                    new Case("CNI_IFNAME too long", 7, longIfname, head + ",\"bridge\":\"" + br + "\"" + ipam + "}"),
                    new Case("unknown CNI_ARGS key", 7, unknownArg, head + ",\"bridge\":\"" + br + "\"" + ipam + "}"),
                    new Case("bad JSON", 6, env, head + ",\"bridge\":"),
                    new Case("a bridge name of no known kind", 4, env, head + ",\"bridge\":\"x" + s + "\"" + ipam + "}"),
                    new Case("a NIC as the bridge", 4, env, head + ",\"bridge\":\"" + nic + "\"" + ipam + "}"),
                    new Case("a VLAN on a Linux bridge", 4, env, head + ",\"bridge\":\"" + br + "\",\"vlan\":100" + ipam + "}"),
                    new Case("mtu out of range", 4, env, head + ",\"bridge\":\"" + br + "\",\"mtu\":20" + ipam + "}"));
            String before = snapshot(ns, data, s);
            List<String> wrong = new ArrayList<>();
            for (Case c : cases) {
                Sh.Result r = Cni.run(c.env(), c.config());
                String problem = "";
                try {
                    Map<String, Object> error = Json.object(Json.parse(r.out()));
                    if (!Long.valueOf(c.code()).equals(error.get("code"))) {
                        problem += " code " + error.get("code") + " (expected " + c.code() + ")";
                    }
                    if (!(error.get("msg") instanceof String msg) || msg.isEmpty()) {
                        problem += " no msg";
                    }
                } catch (RuntimeException e) {
                    problem += " stdout is not an error object: " + r.out();
                }
                if (r.code() == 0) {
                    problem += " exit 0";
                }
                String after = snapshot(ns, data, s);
                if (!after.equals(before)) {
                    problem += " state changed:\n" + before + "\n->\n" + after;
                }
                if (!problem.isEmpty()) {
                    wrong.add(c.name() + ":" + problem + " [" + r.out().strip() + "]");
                }
            }
            assertEquals(List.of(), wrong);
        }
    }

    /** DEL of what was never added succeeds, with or without a namespace. */
    @Test
    void delOfNothingSucceeds() throws IOException {
        Cni.requirePlugins("host-local");
        String s = HostCleanup.uniqueSuffix();
        Path data = Files.createTempDirectory("pw-cni-ipam");
        String conf = "{\"cniVersion\":\"0.4.0\",\"name\":\"pwnone" + s + "\",\"type\":\"pipework\",\"bridge\":\"br" + s
                + "\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.231.12.0/24\",\"dataDir\":\"" + data + "\"}}";
        try (TestNetns netns = new TestNetns()) {
            String ns = netns.create("none");
            Sh.Result withNs = Cni.run("DEL", "cninone" + s, "/var/run/netns/" + ns, "eth0", conf);
            Sh.Result without = Cni.run("DEL", "cninone" + s, "", "eth0", conf);
            assertAll(
                    () -> assertEquals(0, withNs.code(), withNs.describe()),
                    () -> assertEquals(0, without.code(), without.describe()),
                    () -> assertNotEquals(true, Sh.run("ip", "link", "show", "br" + s).success()));
        }
    }

    /** What these cases could change: links and OVS bridges of this test's names, the namespace, the leases, the records. */
    private static String snapshot(String ns, Path data, String s) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("host: ").append(Cni.hostLinks(s, "/var/run/netns/" + ns, "eth0")).append('\n');
        sb.append("ovs: ").append(Sh.run("ovs-vsctl", "--timeout=5", "list-br").out().lines().filter(b -> b.contains(s))
                .toList()).append('\n');
        sb.append("netns: ").append(Sh.ok("ip", "-n", ns, "-o", "addr").out()).append('\n');
        try (Stream<Path> files = Files.walk(data)) {
            sb.append("ipam: ").append(files.map(Path::toString).sorted().toList()).append('\n');
        }
        Path records = Path.of("/run/pipework/cni");
        if (Files.isDirectory(records)) {
            try (Stream<Path> files = Files.list(records)) {
                sb.append("records: ").append(files.map(p -> p.getFileName().toString()).filter(n -> n.contains("cnibad" + s))
                        .toList());
            }
        }
        return sb.toString();
    }
}
