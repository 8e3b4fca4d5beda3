package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Cni;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;

/**
 * A real client: podman (on its CNI backend) with conflists of type {@code pipework}, the
 * launcher linked into a plugin directory of its own. podman reads a containers.conf of this
 * test's ({@code CONTAINERS_CONF}), so the machine's configuration and networks stay untouched.
 */
class CniPodmanIT {
    private static final String IMAGE = Prerequisites.TEST_IMAGE;

    /**
     * A scratch podman setup: network and pool directories, and the containers it started. The
     * plugin is a wrapper of a type of its own in {@code /usr/lib/cni}, naming this setup's pools:
     * a container that exits is torn down by whichever comes first, the podman command or the
     * {@code podman container cleanup} that conmon starts, and conmon passes on neither podman's
     * environment nor its {@code cni_plugin_dirs} (only the network directory).
     */
    private static final class Podman implements AutoCloseable {
        final Path dir;
        final Path data;
        final Path plugin;
        final String type;
        final Map<String, String> env;
        final List<String> containers = new ArrayList<>();

        Podman() throws IOException {
            dir = Files.createTempDirectory("pw-podman");
            data = Files.createDirectories(dir.resolve("ipam"));
            Files.createDirectories(dir.resolve("net.d"));
            Path conf = dir.resolve("containers.conf");
            Files.writeString(conf, "[containers]\ndefault_ulimits = [\"nofile=20000:20000\", \"nproc=4096:4096\"]\n"
                    + "[network]\nnetwork_backend = \"cni\"\ncni_plugin_dirs = [\"" + Cni.PLUGINS
                    + "\"]\nnetwork_config_dir = \"" + dir.resolve("net.d") + "\"\n");
            // The pools as the plugin (run by podman or by its cleanup) and the test's pipework see them.
            env = Map.of("CONTAINERS_CONF", conf.toString(), "PIPEWORK_JAR", Pipework.jar().toString(),
                    "PIPEWORK_POOLS", dir.resolve("pools").toString(), "PIPEWORK_IPAM_STORE", "file:" + dir.resolve("store"));
            type = "pipework-it" + HostCleanup.uniqueSuffix();
            plugin = Path.of(Cni.PLUGINS, type);
            StringBuilder wrapper = new StringBuilder("#!/bin/sh\n");
            for (String key : List.of("PIPEWORK_JAR", "PIPEWORK_POOLS", "PIPEWORK_IPAM_STORE")) {
                wrapper.append("export ").append(key).append("='").append(env.get(key)).append("'\n");
            }
            wrapper.append("exec '").append(Path.of("scripts/pipework").toAbsolutePath()).append("' \"$@\"\n");
            Files.writeString(plugin, wrapper);
            plugin.toFile().setExecutable(true);
        }

        void poolNetwork(String name, String bridge, String pool) throws IOException {
            Files.writeString(dir.resolve("net.d").resolve(name + ".conflist"), "{\"cniVersion\":\"1.0.0\",\"name\":\""
                    + name + "\",\"plugins\":[{\"type\":\"" + type + "\",\"bridge\":\"" + bridge
                    + "\",\"ipam\":{\"type\":\"pipework\",\"pool\":\"" + pool + "\",\"defaultRoute\":true}}]}\n");
        }

        Sh.Result pipework(String... args) {
            return Pipework.run(List.of(args), Pipework.DEFAULT_TIMEOUT, env);
        }

        void network(String name, String version, String bridge, String extra, String subnet, String range) throws IOException {
            String[] r = range.split("-");
            Files.writeString(dir.resolve("net.d").resolve(name + ".conflist"), "{\"cniVersion\":\"" + version
                    + "\",\"name\":\"" + name + "\",\"plugins\":[{\"type\":\"" + type + "\",\"bridge\":\"" + bridge + "\""
                    + extra + ",\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"" + subnet
                    + "\",\"rangeStart\":\"" + r[0] + "\",\"rangeEnd\":\"" + r[1] + "\"}]],\"dataDir\":\"" + data + "\"}}]}\n");
        }

        Sh.Result podman(String... args) {
            List<String> argv = new ArrayList<>(List.of("podman"));
            argv.addAll(List.of(args));
            return Sh.run(argv, Duration.ofSeconds(120), null, env);
        }

        String ok(String... args) {
            Sh.Result r = podman(args);
            if (r.code() != 0) {
                throw new AssertionError("podman " + String.join(" ", args) + " failed: " + r.describe());
            }
            return r.trimmed();
        }

        String run(String name, String network) {
            containers.add(name);
            return ok("run", "-d", "--name", name, "--network", network, "--cap-add", "NET_RAW", IMAGE, "sleep", "1d");
        }

        String ip(String name) {
            String out = ok("exec", name, "ip", "-4", "-o", "addr", "show", "dev", "eth0");
            return out.replaceAll("(?s).*inet ([0-9.]+)/.*", "$1");
        }

        boolean reaches(String from, String ip) {
            return podman("exec", from, "ping", "-c", "1", "-W", "2", ip).code() == 0;
        }

        List<String> leases() throws IOException {
            try (Stream<Path> files = Files.walk(data)) {
                return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+\\.[0-9.]+")).sorted().toList();
            }
        }

        @Override
        public void close() throws IOException {
            for (String c : containers) {
                podman("rm", "-f", "-t", "0", c);
            }
            Files.deleteIfExists(plugin);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void requirePodman() {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("podman");
        Cni.requirePlugins("host-local");
    }

    /** Two containers on one pipework network reach each other; podman stop removes their veths and frees their addresses. */
    @Test
    void twoContainersOnALinuxBridgeNetwork() throws IOException {
        requirePodman();
        String s = HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); Podman podman = new Podman()) {
            String br = host.bridge("br" + s);
            String net = "pw" + s;
            podman.network(net, "1.0.0", br, "", "10.232.1.0/24", "10.232.1.10-10.232.1.19");
            String a = podman.run("pwa" + s, net);
            String b = podman.run("pwb" + s, net);
            String ipA = podman.ip("pwa" + s);
            String ipB = podman.ip("pwb" + s);
            assertTrue(podman.reaches("pwa" + s, ipB), "a reaches b");
            assertTrue(podman.reaches("pwb" + s, ipA), "b reaches a");
            assertEquals(List.of(ipA, ipB).stream().sorted().toList(), podman.leases());

            String status = Pipework.ok("status").out();
            List<String> hostEnds = new ArrayList<>();
            for (String name : List.of("pwa" + s, "pwb" + s)) {
                String id = name.equals("pwa" + s) ? a : b;
                // Listed by podman's name, the short ID podman shows (12 digits) and the container's PID.
                String line = status.lines().filter(l -> l.matches(name + " +" + id.substring(0, 12) + " +[0-9]+ .*"))
                        .findFirst().orElseThrow(() -> new AssertionError("status lists no " + name + ":\n" + status));
                assertTrue(line.contains(" " + br + " "), line);
                hostEnds.add(line.split("\\s+")[7]);
                // and found by that name.
                assertTrue(Pipework.ok("status", name).out().contains(" " + hostEnds.get(hostEnds.size() - 1) + " "),
                        "status " + name);
            }
            assertTrue(Sh.ok("ip", "-o", "link", "show", "master", br).out().contains(hostEnds.get(0)));

            podman.ok("stop", "-t", "0", "pwa" + s, "pwb" + s);
            for (String hostEnd : hostEnds) {
                assertFalse(Sh.run("ip", "link", "show", hostEnd).success(), hostEnd + " removed");
            }
            assertEquals(List.of(), podman.leases(), "addresses freed");
            assertFalse(Pipework.ok("status").out().contains(a.substring(0, 12)));
        }
    }

    /**
     * A network whose IPAM is a pipework pool: two containers get distinct addresses of the pool
     * (a third address taken by the command line is skipped), the pool's gateway as their route,
     * {@code pool ls} counts them; a container that ends and {@code podman rm} give them back.
     */
    @Test
    void twoContainersOnAPipeworkPool() throws IOException {
        requirePodman();
        String s = HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); Podman podman = new Podman()) {
            String br = host.bridge("brp" + s);
            String net = "pwp" + s;
            assertEquals(0, podman.pipework("pool", "add", "pod", "10.232.3.0/24", "--gateway", "10.232.3.1",
                    "--range", "10.232.3.10-10.232.3.19").code());
            try (dev.pipework.it.support.TestNetns netns = new dev.pipework.it.support.TestNetns()) {
                Sh.Result cli = podman.pipework(host.bridge("brq" + s), netns.create("pn"), "pool:pod");
                assertEquals(0, cli.code(), cli.describe());
                assertTrue(cli.out().contains("10.232.3.10/24 pool pod"), cli.describe());
                podman.poolNetwork(net, br, "pod");
                podman.run("pa" + s, net);
                podman.run("pb" + s, net);
                assertEquals(List.of("10.232.3.11", "10.232.3.12"),
                        List.of(podman.ip("pa" + s), podman.ip("pb" + s)).stream().sorted().toList());
                assertTrue(podman.ok("exec", "pa" + s, "ip", "route").contains("default via 10.232.3.1 dev eth0"));
                assertTrue(podman.reaches("pa" + s, podman.ip("pb" + s)), "a reaches b");
                assertEquals(3L, poolUse(podman, "held"));
                // A container that ends is torn down by conmon's cleanup; one removed, by either.
                podman.ok("kill", "pa" + s);
                assertTrue(Poll.within(Duration.ofSeconds(20), Duration.ofMillis(250), () -> poolUse(podman, "held") == 2L),
                        "the container that ended gave its address back");
                podman.ok("rm", "-f", "-t", "0", "pa" + s, "pb" + s);
                assertEquals(1L, poolUse(podman, "held"), "podman rm gave the addresses back");
                assertEquals(2L, poolUse(podman, "cooling"));
            }
        }
    }

    private static long poolUse(Podman podman, String what) {
        Sh.Result ls = podman.pipework("pool", "ls", "--json");
        assertEquals(0, ls.code(), ls.describe());
        return (Long) dev.pipework.json.Json.at(dev.pipework.json.Json.parse(ls.out()), "pools", "0", what);
    }

    /** Two networks on one OVS bridge, tags 100 and 200, one subnet: each container reaches its own VLAN only. */
    @Test
    void twoTaggedNetworksOnOneOvsBridge() throws IOException {
        requirePodman();
        Prerequisites.requireOvs();
        String s = HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); Podman podman = new Podman()) {
            String ovs = host.ovsBridge("ovs" + s);
            podman.network("pwv100" + s, "1.0.0", ovs, ",\"vlan\":100", "10.232.2.0/24", "10.232.2.10-10.232.2.19");
            podman.network("pwv200" + s, "0.4.0", ovs, ",\"vlan\":200", "10.232.2.0/24", "10.232.2.20-10.232.2.29");
            podman.run("a1" + s, "pwv100" + s);
            podman.run("a2" + s, "pwv100" + s);
            podman.run("b1" + s, "pwv200" + s);
            podman.run("b2" + s, "pwv200" + s);
            assertTrue(podman.reaches("a1" + s, podman.ip("a2" + s)), "a1 reaches a2 (VLAN 100)");
            assertTrue(podman.reaches("b1" + s, podman.ip("b2" + s)), "b1 reaches b2 (VLAN 200)");
            assertFalse(podman.reaches("a1" + s, podman.ip("b1" + s)), "a1 does not reach b1");
            assertFalse(podman.reaches("b2" + s, podman.ip("a2" + s)), "b2 does not reach a2");
            List<String> tags = new ArrayList<>();
            for (String port : Sh.ok("ovs-vsctl", "list-ports", ovs).out().strip().split("\\s+")) {
                tags.add(Sh.ok("ovs-vsctl", "get", "port", port, "tag").trimmed());
            }
            assertEquals(List.of("100", "100", "200", "200"), tags.stream().sorted().toList());
            podman.ok("stop", "-t", "0", "a1" + s, "a2" + s, "b1" + s, "b2" + s);
            assertEquals("", Sh.ok("ovs-vsctl", "list-ports", ovs).trimmed(), "ports removed on stop");
            assertEquals(List.of(), podman.leases());
        }
    }
}
