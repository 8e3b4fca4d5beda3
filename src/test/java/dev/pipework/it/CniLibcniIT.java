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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pipework.it.support.Cni;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;

/**
 * A runtime on libcni (the library containerd's and Kubernetes' runtimes use), built offline from
 * Debian's source ({@code src/test/go/cniruntime}), drives ADD, CHECK and DEL on conflists where
 * pipework comes first, followed by the reference {@code tuning}, {@code bandwidth} and
 * {@code portmap}, each given pipework's result as prevResult.
 */
class CniLibcniIT {

    private static Path runtime() {
        Prerequisites.requireCommand("go");
        Path out = Path.of("target", "cniruntime").toAbsolutePath();
        Sh.Result r = Sh.run(List.of("go", "build", "-o", out.toString(), "./src/test/go/cniruntime"), Duration.ofSeconds(300),
                null, Map.of("GOPATH", "/usr/share/gocode", "GO111MODULE", "off", "GOFLAGS", "",
                        "GOCACHE", Path.of("target", "go-cache").toAbsolutePath().toString()));
        if (r.code() != 0) {
            throw new AssertionError("go build of the libcni test runtime failed (golang-go and "
                    + "golang-github-appc-cni-dev needed, scripts/test-env installs them): " + r.describe());
        }
        return out;
    }

    private static List<String> leases(Path data) throws IOException {
        try (Stream<Path> files = Files.walk(data)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+\\.[0-9.]+")).sorted().toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.3.1", "0.4.0", "1.0.0"})
    void addCheckDelChainedWithTheReferencePlugins(String version) throws IOException {
        Cni.requirePlugins("host-local", "tuning", "bandwidth", "portmap");
        Path runtime = runtime();
        String s = HostCleanup.uniqueSuffix();
        Path dir = Files.createTempDirectory("pw-libcni");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.createSymbolicLink(plugins.resolve("pipework"), Path.of("scripts/pipework").toAbsolutePath());
        Path data = dir.resolve("ipam");
        Map<String, String> env = Map.of("CNI_PATH", plugins + ":" + Cni.PLUGINS, "CNI_CACHE_DIR",
                dir.resolve("cache").toString(), "PIPEWORK_JAR", Path.of("target", "pipework.jar").toAbsolutePath().toString());
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String br = host.bridge("br" + s);
            String ns = netns.create("libcni");
            String path = "/var/run/netns/" + ns;
            Path conflist = dir.resolve("net.conflist");
            Files.writeString(conflist, "{\"cniVersion\":\"" + version + "\",\"name\":\"pwlib" + s + "\",\"plugins\":["
                    + "{\"type\":\"pipework\",\"bridge\":\"" + br + "\",\"ipam\":{\"type\":\"host-local\",\"subnet\":"
                    + "\"10.233.1.0/24\",\"gateway\":\"10.233.1.1\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dataDir\":\"" + data
                    + "\"}},{\"type\":\"tuning\",\"promisc\":true},"
                    + "{\"type\":\"bandwidth\",\"ingressRate\":8000000,\"ingressBurst\":100000},"
                    + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}");
            String id = "libcni" + s;
            List<String> args = List.of(conflist.toString(), id, path, "eth0");

            Sh.Result add = run(runtime, "add", args, env);
            assertEquals(0, add.code(), add.describe());
            Map<String, Object> result = Json.object(Json.parse(add.out()));
            assertEquals(version, result.get("cniVersion"));
            assertEquals(path, Json.at(result, "interfaces", "1", "sandbox"));
            assertEquals("10.233.1.2/24", Json.at(result, "ips", "0", "address"));
            String hostEnd = (String) Json.at(result, "interfaces", "0", "name");
            assertTrue(netns.ok(ns, "ip", "link", "show", "eth0").out().contains("PROMISC"), "tuning got the interface");
            assertTrue(Sh.ok("tc", "qdisc", "show", "dev", hostEnd).out().contains("tbf"), "bandwidth found the host end");
            assertTrue(netns.ok(ns, "ip", "route").out().contains("default via 10.233.1.1 dev eth0"));

            if (!version.startsWith("0.3.")) {
                Sh.Result check = run(runtime, "check", args, env);
                assertEquals(0, check.code(), check.describe());
                netns.ok(ns, "ip", "addr", "del", "10.233.1.2/24", "dev", "eth0");
                Sh.Result drifted = run(runtime, "check", args, env);
                assertNotEquals(0, drifted.code());
                assertTrue(drifted.err().contains("address 10.233.1.2/24 is missing"), drifted.describe());
            }

            Sh.Result del = run(runtime, "del", args, env);
            assertEquals(0, del.code(), del.describe());
            assertFalse(Sh.run("ip", "link", "show", hostEnd).success(), "host end removed");
            assertEquals("lo", netns.ok(ns, "ls", "/sys/class/net").trimmed());
            assertEquals(List.of(), leases(data));
            Sh.Result again = run(runtime, "del", args, env);
            assertEquals(0, again.code(), again.describe());
        } finally {
            Sh.run("rm", "-rf", dir.toString());
        }
    }

    private static Sh.Result run(Path runtime, String verb, List<String> args, Map<String, String> env) {
        List<String> argv = new ArrayList<>(List.of(runtime.toString(), verb));
        argv.addAll(args);
        return Sh.run(argv, Duration.ofSeconds(120), null, env);
    }
}
