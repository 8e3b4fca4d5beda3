package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Cni;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;

/**
 * The CNI plugin with a pipework pool as its IPAM ({@code "ipam": {"type": "pipework", "pool": ...}}):
 * ADD, CHECK and DEL through the libcni test runtime, and GC giving back what is gone.
 */
class CniPoolIT {

    @Test
    void aPoolAsTheIpamUnderLibcniAndGc() throws IOException {
        Path runtime = runtime();
        String s = HostCleanup.uniqueSuffix();
        Path dir = Files.createTempDirectory("pw-cnipool");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.createSymbolicLink(plugins.resolve("pipework"), Path.of("scripts/pipework").toAbsolutePath());
        Files.writeString(dir.resolve("pools"), "pool cp" + s + " 10.236.0.0/24 gateway 10.236.0.1 range 10.236.0.10-10.236.0.20\n");
        Map<String, String> env = new LinkedHashMap<>(Map.of("CNI_PATH", plugins + ":" + Cni.PLUGINS, "CNI_CACHE_DIR",
                dir.resolve("cache").toString(), "PIPEWORK_JAR", Pipework.jar().toString(),
                "PIPEWORK_POOLS", dir.resolve("pools").toString(), "PIPEWORK_IPAM_STORE", "file:" + dir.resolve("ipam")));
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String br = host.bridge("br" + s);
            String ns = netns.create("cpa");
            String ns2 = netns.create("cpb");
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"pwpool" + s + "\",\"type\":\"pipework\",\"bridge\":\"" + br
                    + "\",\"ipam\":{\"type\":\"pipework\",\"pool\":\"cp" + s + "\",\"defaultRoute\":true}}";
            Path conflist = dir.resolve("net.conflist");
            Files.writeString(conflist, "{\"cniVersion\":\"1.0.0\",\"name\":\"pwpool" + s + "\",\"plugins\":["
                    + conf.substring(conf.indexOf("\"type\"") - 1).replaceFirst("^,", "{") + "]}");
            String id = "cpa" + s;
            List<String> args = List.of(conflist.toString(), id, "/var/run/netns/" + ns, "eth0");

            Sh.Result add = run(runtime, "add", args, env);
            assertEquals(0, add.code(), add.describe());
            Map<String, Object> result = Json.object(Json.parse(add.out()));
            assertEquals("10.236.0.10/24", Json.at(result, "ips", "0", "address"));
            assertEquals("10.236.0.1", Json.at(result, "ips", "0", "gateway"));
            assertTrue(netns.ok(ns, "ip", "route").out().contains("default via 10.236.0.1 dev eth0"));
            assertTrue(Files.readString(dir.resolve("ipam/cp" + s + ".json")).contains("\"" + id + "\""));

            assertEquals(0, run(runtime, "check", args, env).code());
            netns.ok(ns, "ip", "addr", "del", "10.236.0.10/24", "dev", "eth0");
            Sh.Result drifted = run(runtime, "check", args, env);
            assertNotEquals(0, drifted.code());
            assertTrue(drifted.err().contains("10.236.0.10/24"), drifted.describe());

            Sh.Result del = run(runtime, "del", args, env);
            assertEquals(0, del.code(), del.describe());
            assertEquals(0L, held(dir, s, env));

            // A second container, then GC with no valid attachment: its interface and address go.
            List<String> args2 = List.of(conflist.toString(), "cpb" + s, "/var/run/netns/" + ns2, "eth0");
            Sh.Result add2 = run(runtime, "add", args2, env);
            assertEquals(0, add2.code(), add2.describe());
            assertEquals("10.236.0.11/24", Json.at(Json.parse(add2.out()), "ips", "0", "address"));
            assertEquals(1L, held(dir, s, env));
            Map<String, String> gcEnv = new LinkedHashMap<>(env);
            gcEnv.put("CNI_COMMAND", "GC");
            Sh.Result gc = Cni.run(gcEnv, Cni.with(conf, "cni.dev/valid-attachments", List.of()));
            assertEquals(0, gc.code(), gc.describe());
            assertTrue(gc.err().contains("gave back 10.236.0.11/24"), gc.describe());
            assertEquals("lo", netns.ok(ns2, "ls", "/sys/class/net").trimmed());
            assertEquals(0L, held(dir, s, env));

            // Another network from the same pool: the first network's GC leaves its address alone.
            String conf2 = conf.replace("\"name\":\"pwpool" + s, "\"name\":\"pwpool2" + s);
            Map<String, String> addEnv = new LinkedHashMap<>(env);
            addEnv.putAll(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "cpb" + s, "CNI_NETNS", "/var/run/netns/" + ns2,
                    "CNI_IFNAME", "eth0"));
            Sh.Result other = Cni.run(addEnv, conf2);
            assertEquals(0, other.code(), other.describe());
            Sh.Result gc2 = Cni.run(gcEnv, Cni.with(conf, "cni.dev/valid-attachments", List.of()));
            assertEquals(0, gc2.code(), gc2.describe());
            assertFalse(gc2.err().contains("gave back"), gc2.describe());
            assertEquals(1L, held(dir, s, env));
            Map<String, String> delEnv = new LinkedHashMap<>(addEnv);
            delEnv.put("CNI_COMMAND", "DEL");
            Sh.Result del2 = Cni.run(delEnv, conf2);
            assertEquals(0, del2.code(), del2.describe());
            assertEquals(0L, held(dir, s, env));
        } finally {
            Sh.run("rm", "-rf", dir.toString());
        }
    }

    private static long held(Path dir, String s, Map<String, String> env) {
        Sh.Result ls = Pipework.run(List.of("pool", "ls", "--json"), Duration.ofSeconds(60),
                Map.of("PIPEWORK_POOLS", env.get("PIPEWORK_POOLS"), "PIPEWORK_IPAM_STORE", env.get("PIPEWORK_IPAM_STORE")));
        assertEquals(0, ls.code(), ls.describe());
        return (Long) Json.at(Json.parse(ls.out()), "pools", "0", "held");
    }

    private static Path runtime() {
        dev.pipework.it.support.Prerequisites.requireCommand("go");
        Path out = Path.of("target", "cniruntime").toAbsolutePath();
        Sh.Result r = Sh.run(List.of("go", "build", "-o", out.toString(), "./src/test/go/cniruntime"), Duration.ofSeconds(300),
                null, Map.of("GOPATH", "/usr/share/gocode", "GO111MODULE", "off", "GOFLAGS", "",
                        "GOCACHE", Path.of("target", "go-cache").toAbsolutePath().toString()));
        assertEquals(0, r.code(), r.describe());
        return out;
    }

    private static Sh.Result run(Path runtime, String verb, List<String> args, Map<String, String> env) {
        List<String> argv = new ArrayList<>(List.of(runtime.toString(), verb));
        argv.addAll(args);
        return Sh.run(argv, Duration.ofSeconds(120), null, env);
    }
}
