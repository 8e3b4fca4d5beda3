package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Cni;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;

/**
 * containerd as a CNI client: Debian's containerd 1.6, through dockerd's own containerd (in a
 * namespace of this test's), {@code ctr run --cni} with pipework first in the conflist and the
 * reference {@code tuning}, {@code bandwidth} and {@code portmap} chained after it.
 *
 * <p>{@code ctr} has no option for the CNI directories: it reads the first conflist by name in
 * {@code /etc/cni/net.d} and runs plugins from {@code /opt/cni/bin}, once, when it starts. This
 * test therefore writes {@code /etc/cni/net.d/00-pwctr<suffix>.conflist} and links
 * {@code /opt/cni/bin/pwctr<suffix>[-<plugin>]} (plugin types of its own name), rewrites the
 * conflist's VLAN between two {@code ctr run}s, and removes every one of these files (and
 * {@code /opt/cni/bin} when it made it) at the end.
 *
 * <p>{@code ctr run} in the foreground runs DEL when the task ends; {@code ctr run -d} does not.
 */
class CniContainerdIT {
    static final String SOCKET = "/var/run/docker/containerd/containerd.sock";
    static final String IMAGE = "docker.io/" + Prerequisites.TEST_IMAGE;
    static final List<String> CHAINED = List.of("tuning", "bandwidth", "portmap");

    private final String s = HostCleanup.uniqueSuffix();
    private final String namespace = "pwctr" + s;
    private final String plugin = "pwctr" + s;
    private final Path conflist = Path.of("/etc/cni/net.d", "00-pwctr" + s + ".conflist");
    private final Path bin = Path.of("/opt/cni/bin");
    private final List<Process> running = new ArrayList<>();

    private List<String> ctr(String... args) {
        List<String> argv = new ArrayList<>(List.of("ctr", "-a", SOCKET, "-n", namespace));
        argv.addAll(List.of(args));
        return argv;
    }

    private Sh.Result ctrOk(String... args) {
        return Sh.ok(ctr(args), Duration.ofSeconds(120));
    }

    private void writeConflist(String bridge, int vlan, Path ipam) throws IOException {
        StringBuilder chain = new StringBuilder("{\"cniVersion\":\"1.0.0\",\"name\":\"" + plugin + "\",\"plugins\":["
                + "{\"type\":\"" + plugin + "\",\"bridge\":\"" + bridge + "\",\"vlan\":" + vlan
                + ",\"ipam\":{\"type\":\"" + plugin + "-host-local\",\"subnet\":\"10.235.0.0/24\",\"dataDir\":\""
                + ipam + "\"}},{\"type\":\"" + plugin + "-tuning\",\"promisc\":true},"
                + "{\"type\":\"" + plugin + "-bandwidth\",\"ingressRate\":8000000,\"ingressBurst\":100000},"
                + "{\"type\":\"" + plugin + "-portmap\",\"capabilities\":{\"portMappings\":true}}]}");
        Files.writeString(conflist, chain);
    }

    /**
     * {@code ctr run --cni} in the foreground, as a process of its own; returns once the whole chain's
     * ADD is done and eth0 has its address. eth0 has it as soon as pipework's ADD is done, before
     * {@code tuning}, {@code bandwidth} and {@code portmap} have run: libcni caches the chain's result
     * after the last one, so that file is what says the ADD is over.
     */
    private String runForeground(String id, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ctr("run", "--cni", IMAGE, id, "sleep", "600"))
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PIPEWORK_JAR", Path.of("target", "pipework.jar").toAbsolutePath().toString());
        Process p = pb.start();
        running.add(p);
        Path cached = Path.of("/var/lib/cni/results", plugin + "-" + namespace + "-" + id + "-eth0");
        Poll.within(Duration.ofSeconds(120), Duration.ofMillis(100), () -> Files.exists(cached) || !p.isAlive());
        assertTrue(Files.exists(cached), () -> "the ADD of " + id + " ended (" + cached + "): " + logs(log.getParent(),
                List.of(id)));
        return address(id);
    }

    /** What each foreground {@code ctr run} printed, its DEL's errors included. */
    private static String logs(Path dir, List<String> ids) {
        StringBuilder b = new StringBuilder();
        for (String id : ids) {
            Path log = dir.resolve(id.substring(0, 1) + ".log");
            try {
                b.append("\n").append(id).append(": ").append(Files.readString(log).strip());
            } catch (IOException e) {
                b.append("\n").append(id).append(": ").append(e.getMessage());
            }
        }
        return b.toString();
    }

    private int exec = 0;

    private Sh.Result exec(String id, String... argv) {
        List<String> all = new ArrayList<>(ctr("task", "exec", "--exec-id", "e" + (exec++), id));
        all.addAll(List.of(argv));
        return Sh.run(all, Duration.ofSeconds(30));
    }

    private String address(String id) {
        Pattern inet = Pattern.compile("inet (10\\.235\\.0\\.[0-9]+)/24");
        return Poll.until(Duration.ofSeconds(120), Duration.ofMillis(500), () -> {
            Matcher m = inet.matcher(exec(id, "ip", "-4", "addr", "show", "dev", "eth0").out());
            return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
        }, "eth0 of " + id + " with its address");
    }

    private boolean pings(String from, String to) {
        return Poll.within(Duration.ofSeconds(10), Duration.ofMillis(500),
                () -> exec(from, "ping", "-c", "1", "-W", "1", to).success());
    }

    private static List<String> leases(Path ipam) throws IOException {
        if (!Files.exists(ipam)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(ipam)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+\\.[0-9.]+")).toList();
        }
    }

    private List<String> cachedResults() throws IOException {
        Path results = Path.of("/var/lib/cni/results");
        if (!Files.isDirectory(results)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(results)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(plugin + "-")).toList();
        }
    }

    @Test
    void ctrRunCniWithChainedPlugins() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        Prerequisites.requireCommand("ctr");
        Prerequisites.require(Files.exists(Path.of(SOCKET)), "dockerd's containerd at " + SOCKET);
        Cni.requirePlugins("host-local", "tuning", "bandwidth", "portmap");
        Prerequisites.requireImage(Prerequisites.TEST_IMAGE);

        Path dir = Files.createTempDirectory("pw-ctr");
        Path ipam = dir.resolve("ipam");
        boolean madeBin = !Files.exists(bin);
        List<Path> links = new ArrayList<>();
        try (HostCleanup host = new HostCleanup()) {
            Path tar = dir.resolve("image.tar");
            Sh.ok(List.of("docker", "save", Prerequisites.TEST_IMAGE, "-o", tar.toString()), Duration.ofSeconds(120));
            ctrOk("image", "import", tar.toString());

            Files.createDirectories(bin);
            links.add(Files.createSymbolicLink(bin.resolve(plugin), Path.of("scripts/pipework").toAbsolutePath()));
            for (String p : Stream.concat(Stream.of("host-local"), CHAINED.stream()).toList()) {
                links.add(Files.createSymbolicLink(bin.resolve(plugin + "-" + p), Path.of(Cni.PLUGINS, p)));
            }
            String bridge = host.createOvsBridge("ovc" + s);

            // a and b in VLAN 100, c in VLAN 200: ctr reads the conflist as it starts.
            Map<String, String> ips = new LinkedHashMap<>();
            for (String[] g : new String[][] {{"a", "100"}, {"b", "100"}, {"c", "200"}}) {
                writeConflist(bridge, Integer.parseInt(g[1]), ipam);
                ips.put(g[0] + s, runForeground(g[0] + s, dir.resolve(g[0] + ".log")));
            }
            String a = "a" + s;
            String b = "b" + s;
            String c = "c" + s;
            assertEquals(3, leases(ipam).size(), "three addresses leased: " + ips);
            List<String> ports = Ovs.ports(bridge);
            assertEquals(3, ports.size(), "ports of " + bridge + ": " + ports);
            List<Long> tags = new ArrayList<>();
            for (String port : ports) {
                tags.add(Ovs.portTag(port).orElse(0L));
                assertTrue(Sh.ok("tc", "qdisc", "show", "dev", port).out().contains("tbf"), "bandwidth shaped " + port);
            }
            assertEquals(List.of(100L, 100L, 200L), tags.stream().sorted().toList());
            // IFF_PROMISC is 0x100 of the link's flags.
            // In one full run this read came back empty (ctr task exec, a command that ends at once):
            // read until shown.
            String flags = Poll.until(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
                String shown = exec(a, "cat", "/sys/class/net/eth0/flags").trimmed();
                return shown.startsWith("0x") ? java.util.Optional.of(shown) : java.util.Optional.empty();
            }, "eth0's flags in " + a);
            assertTrue(flags.startsWith("0x") && (Integer.parseInt(flags.substring(2), 16) & 0x100) != 0,
                    "tuning set eth0 promiscuous: flags " + flags);

            assertTrue(pings(a, ips.get(b)), "a reaches b (VLAN 100)");
            assertTrue(pings(b, ips.get(a)), "b reaches a (VLAN 100)");
            assertFalse(exec(a, "ping", "-c", "2", "-W", "1", ips.get(c)).success(), "a (VLAN 100) reached c (VLAN 200)");
            assertFalse(exec(c, "ping", "-c", "2", "-W", "1", ips.get(b)).success(), "c (VLAN 200) reached b (VLAN 100)");

            // ctr task kill ends the task; the foreground ctr run then runs DEL; ctr container rm.
            for (int i = 0; i < 3; i++) {
                String id = List.of(a, b, c).get(i);
                ctrOk("task", "kill", "-s", "SIGKILL", id);
                Process p = running.get(i);
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ctr run of " + id + " ends after DEL");
                ctrOk("container", "rm", id);
            }
            assertTrue(Poll.within(Duration.ofSeconds(20), Duration.ofMillis(200), () -> Ovs.ports(bridge).isEmpty()),
                    "DEL removed the ports: " + Ovs.ports(bridge));
            for (String port : ports) {
                assertFalse(Sh.run("ip", "link", "show", port).success(), port + " gone");
            }
            assertEquals(List.of(), leases(ipam), () -> "DEL released the addresses; addresses " + ips
                    + "; ctr run's exit statuses " + running.stream().map(Process::exitValue).toList()
                    + " and output: " + logs(dir, List.of(a, b, c)));
            assertEquals(List.of(), cachedResults(), "libcni's cache of the results is gone");

            // ctr run -d: killing and removing runs no DEL. What is left, and pipework's DEL by hand.
            writeConflist(bridge, 100, ipam);
            String d = "d" + s;
            Sh.ok(withJar(ctr("run", "-d", "--cni", IMAGE, d, "sleep", "600")), Duration.ofSeconds(120));
            address(d);
            ctrOk("task", "kill", "-s", "SIGKILL", d);
            Poll.within(Duration.ofSeconds(20), Duration.ofMillis(200),
                    () -> Sh.run(ctr("task", "rm", d), Duration.ofSeconds(30)).success());
            ctrOk("container", "rm", d);
            assertEquals(1, Ovs.ports(bridge).size(), "after -d, the port record stays");
            assertEquals(1, leases(ipam).size(), "after -d, the address stays leased");
            String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + plugin + "\",\"type\":\"" + plugin + "\",\"bridge\":\""
                    + bridge + "\",\"vlan\":100,\"ipam\":{\"type\":\"" + plugin + "-host-local\",\"subnet\":\"10.235.0.0/24\","
                    + "\"dataDir\":\"" + ipam + "\"}}";
            Map<String, String> env = Map.of("CNI_COMMAND", "DEL", "CNI_CONTAINERID", namespace + "-" + d, "CNI_NETNS", "",
                    "CNI_IFNAME", "eth0", "CNI_PATH", bin.toString(),
                    "PIPEWORK_JAR", Path.of("target", "pipework.jar").toAbsolutePath().toString());
            Sh.Result del = Sh.run(List.of(bin.resolve(plugin).toString()), Duration.ofSeconds(120), config, env);
            assertEquals(0, del.code(), del.describe());
            assertEquals(List.of(), Ovs.ports(bridge), "pipework's DEL removed the port");
            assertEquals(List.of(), leases(ipam), "pipework's DEL released the address");
            for (String cached : cachedResults()) {
                Files.delete(Path.of("/var/lib/cni/results", cached));
            }
        } finally {
            for (Process p : running) {
                p.destroyForcibly();
            }
            for (String id : List.of("a", "b", "c", "d")) {
                Sh.run(ctr("task", "kill", "-s", "SIGKILL", id + s), Duration.ofSeconds(30));
                Sh.run(ctr("task", "rm", "-f", id + s), Duration.ofSeconds(30));
                Sh.run(ctr("container", "rm", id + s), Duration.ofSeconds(30));
            }
            Sh.run(ctr("image", "rm", IMAGE), Duration.ofSeconds(60));
            // containerd collects the image's content in the background: the namespace is empty a little later.
            Poll.within(Duration.ofSeconds(30), Duration.ofMillis(500),
                    () -> Sh.run(List.of("ctr", "-a", SOCKET, "namespace", "rm", namespace), Duration.ofSeconds(30)).success());
            Files.deleteIfExists(conflist);
            for (Path link : links) {
                Files.deleteIfExists(link);
            }
            for (String cached : cachedResults()) {
                Files.deleteIfExists(Path.of("/var/lib/cni/results", cached));
            }
            if (madeBin) {
                Sh.run("rmdir", bin.toString(), bin.getParent().toString());
            }
            Sh.run("rm", "-rf", dir.toString());
        }
    }

    private static List<String> withJar(List<String> argv) {
        List<String> all = new ArrayList<>(List.of("env",
                "PIPEWORK_JAR=" + Path.of("target", "pipework.jar").toAbsolutePath()));
        all.addAll(argv);
        return all;
    }
}
