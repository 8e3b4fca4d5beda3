package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.pipework.it.support.HostCleanup;
import dev.pipework.json.Json;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.PrivateEngine;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.StandInEngine;

/**
 * The short form of {@code scripts/bench --soak}: {@code pipework watch} through container start and
 * die events, the Docker driver through join/leave calls, each run by the launcher as its service
 * runs it. The watcher follows a stand-in for the engine's API ({@link StandInEngine}: its containers
 * are processes in network namespaces of their own, a restart a few milliseconds); the driver serves
 * an engine of the test's own, which makes its networks, and the connects and disconnects are asked
 * of its socket as that engine asks them. Either way the front end does all of its own work an
 * event, and the engine's (a second or more a restart or a connect here) does not set the pace.
 * After a warm-up (a tenth of the load) and at the end: the resident memory grows by at most 10 %, the open descriptors and the threads are back to
 * their number, and no link, port, record or process is left. The threads are counted without the
 * JDK's "process reaper" threads: one waits for each child process, from a pool that lets an idle
 * one go only after 60 s, so their number follows the commands of the last minute, not a leak.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SoakIT {
    /**
     * Events of each front end: the watcher's start and die (two a restart), the driver's join and
     * leave (two a connect and disconnect). The watcher's pace is its own work: about 180 ms of CPU
     * an event on the shared 2-core machine, three quarters of it in its child processes ({@code ip},
     * {@code nsenter}, {@code ovs-vsctl}), so 1,000 events take 2.5 to 5 minutes there; the driver's
     * about 50 ms. The long form is {@code scripts/bench --soak}.
     */
    private static final int EVENTS = Integer.getInteger("pipework.it.soakEvents", 1000);
    /** Containers connected and disconnected side by side (two on each network). */
    private static final int WORKERS = 4;
    /** Containers the watcher's soak restarts side by side: twice its lanes, so that none waits for an event. */
    private static final int CYCLING = 8;
    private static final Pattern ENDPOINT = Pattern.compile("endpoint ([0-9a-f]{12})");

    private final String s = HostCleanup.uniqueSuffix();
    private final HostCleanup host = new HostCleanup();
    private PrivateEngine engine;
    private StandInEngine standIn;
    private Path work;
    private Process front;

    @BeforeAll
    void start() throws IOException {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        Prerequisites.requireCommand("unshare");
        work = Files.createTempDirectory("pw-soak");
        engine = PrivateEngine.start();
        standIn = new StandInEngine();
    }

    @AfterAll
    void stop() {
        try {
            stopFront();
            if (standIn != null) {
                standIn.close();
            }
            if (engine != null) {
                engine.close();
            }
        } finally {
            host.close();
            if (work != null) {
                Sh.run("rm", "-rf", work.toString());
            }
        }
    }

    @Test
    void theWatcherStaysFlatThroughStartsAndDeaths() throws Exception {
        String br = host.createBridge("brsk" + s);
        String ovs = host.createOvsBridge("ovssk" + s);
        Path log = work.resolve("watch.log");
        try {
            long pid = launch(log, Map.of("DOCKER_HOST", standIn.host()), "watch", "--config", "/dev/null");
            await(log, "following the events", Duration.ofSeconds(60));
            Footprint fresh = Footprint.of(pid);
            String freshFds = fds(pid);
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= CYCLING; i++) {
                String name = "pwsk-" + s + "-" + i;
                names.add(name);
                standIn.run(name, Map.of("pipework", br + " 10.68." + i + ".2/24",
                        "pipework.lan", ovs + " -i eth2 10.69." + i + ".2/24 @100"));
            }
            for (String name : names) {
                await(log, name + ": eth2 attached", Duration.ofSeconds(60));
            }
            Set<Long> pids = ConcurrentHashMap.newKeySet();
            int restarts = Math.max(2, EVENTS / 2 / CYCLING);
            int warm = Math.max(1, restarts / 10);
            side(names, name -> restarts(log, name, warm, pids));
            Footprint before = settled(pid, "10\\.6[89]\\.");
            long t0 = System.nanoTime();
            side(names, name -> restarts(log, name, restarts - warm, pids));
            double secs = (System.nanoTime() - t0) / 1e9;
            Footprint after = settled(pid, "10\\.6[89]\\.");
            String figures = figures("watch", (restarts - warm) * CYCLING * 2, secs, before, after);
            System.out.println(figures + "\nbefore any container: " + fresh + "\n" + freshFds + "at the end:\n" + fds(pid));

            assertEquals(CYCLING, bridgePorts(br).size(), "ports on " + br + "; " + figures);
            assertEquals(CYCLING, Ovs.ports(ovs).size(), "Open vSwitch ports on " + ovs + "; " + figures);
            assertEquals(List.of(), standIn.unknown(), "requests the stand-in engine does not serve");
            List<String> stale = new ArrayList<>();
            for (long p : pids) {
                for (String end : List.of("veth1pl" + p, "veth2pl" + p)) {
                    if (Files.exists(Path.of("/sys/class/net", end)) && !Files.exists(Path.of("/proc/" + p))) {
                        stale.add(end);
                    }
                }
            }
            assertEquals(List.of(), stale, "host ends of stopped containers; " + figures);
            assertFlat(pid, before, after, figures);
        } finally {
            // The driver's test launches its own front end: this one ends here, not at the end of the class.
            stopFront();
        }
    }

    @Test
    void theDriverStaysFlatThroughJoinsAndLeaves() throws Exception {
        String plugin = "pwsk" + s;
        Path socket = Path.of("/run/docker/plugins/" + plugin + ".sock");
        host.link("brskh" + s);
        String lb = host.link("brskl" + s);
        String ovs = host.ovsBridge("ovsskd" + s);
        Path log = work.resolve("driver.log");
        Path state = work.resolve("state");
        String home = "skh" + s;
        String linux = "skl" + s;
        String open = "sko" + s;
        List<String> names = new ArrayList<>();
        try {
            long pid = launch(log, engine.env(), "driver", "--socket", socket.toString(), "--state-dir", state.toString());
            await(log, "serving on", Duration.ofSeconds(60));
            Footprint fresh = Footprint.of(pid);
            String freshFds = fds(pid);
            engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=brskh" + s, "--subnet", "10.65.0.0/24", home);
            engine.dockerOk("network", "create", "-d", plugin, "-o", "bridge=" + lb, "--subnet", "10.66.0.0/16", linux);
            engine.dockerOk("network", "create", "-d", plugin, "--ipam-driver", plugin, "-o", "bridge=" + ovs,
                    "-o", "vlan=100", "--subnet", "10.67.0.0/16", open);
            for (int i = 1; i <= WORKERS; i++) {
                String name = "pwskd-" + s + "-" + i;
                names.add(name);
                engine.dockerOk("run", "-d", "--network", home, "--name", name, Prerequisites.TEST_IMAGE, "sleep",
                        "2147483647");
            }
            Set<String> homeEndpoints = endpoints(log);
            String linuxId = engine.dockerOk("network", "inspect", "-f", "{{.Id}}", linux).trimmed();
            String openId = engine.dockerOk("network", "inspect", "-f", "{{.Id}}", open).trimmed();
            // The IPAM driver's first pool of the subnet: the state directory is the test's own.
            String pool = "pw-10.67.0.0-16-1";
            assertTrue(Files.exists(state.resolve("pools").resolve(pool + ".json")), "no pool " + pool + ": "
                    + files(state.resolve("pools")));
            int pairs = Math.max(2, EVENTS / 2 / WORKERS);
            int warm = Math.max(1, pairs / 10);
            Map<String, Endpoints> load = new ConcurrentHashMap<>();
            for (int i = 0; i < WORKERS; i++) {
                String name = names.get(i);
                String sandbox = engine.dockerOk("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", name).trimmed();
                load.put(name, i % 2 == 0 ? new Endpoints(socket, linuxId, null, "10.66." + (i + 1) + ".", sandbox)
                        : new Endpoints(socket, openId, pool, null, sandbox));
            }
            side(names, name -> load.get(name).pairs(warm));
            Footprint before = settled(pid, "10\\.6[67]\\.");
            long t0 = System.nanoTime();
            side(names, name -> load.get(name).pairs(pairs - warm));
            double secs = (System.nanoTime() - t0) / 1e9;
            Footprint after = settled(pid, "10\\.6[67]\\.");
            String figures = figures("driver", (pairs - warm) * WORKERS * 2, secs, before, after);
            System.out.println(figures + "\nbefore any network: " + fresh + "\n" + freshFds + "at the end:\n" + fds(pid));

            assertEquals(List.of(), bridgePorts(lb), "ports on " + lb + "; " + figures);
            assertEquals(List.of(), Ovs.ports(ovs), "Open vSwitch ports on " + ovs + "; " + figures);
            List<String> left = new ArrayList<>();
            for (String id : endpoints(log)) {
                for (String link : List.of("pwh" + id, "pwg" + id)) {
                    if (!homeEndpoints.contains(id) && Files.exists(Path.of("/sys/class/net", link))) {
                        left.add(link);
                    }
                }
            }
            assertEquals(List.of(), left, "links of endpoints that left; " + figures);
            assertEquals(WORKERS, files(state.resolve("endpoints")).size(), "endpoint records; " + figures);
            String pools = String.join("\n", files(state.resolve("pools")).stream().map(SoakIT::read).toList());
            Matcher given = Pattern.compile("\"10\\.67\\.[0-9.]+\"").matcher(pools);
            List<String> still = new ArrayList<>();
            while (given.find()) {
                if (!given.group().equals("\"10.67.0.1\"")) {
                    still.add(given.group());
                }
            }
            assertEquals(List.of(), still, "addresses still given by the IPAM driver; " + figures);
            assertFlat(pid, before, after, figures);
        } finally {
            // While the driver still serves: the engine's calls remove the endpoints' links, after a failure too.
            List<String> rm = new ArrayList<>(List.of("rm", "-f"));
            rm.addAll(names);
            engine.docker(rm.toArray(String[]::new));
            engine.docker("network", "rm", home, linux, open);
            stopFront();
            Sh.run("rm", "-f", socket.toString());
        }
    }

    // ------------------------------------------------------------------ the load

    /** {@code n} restarts of one container, each once the watcher has put its interfaces back (eth2 last). */
    private Void restarts(Path log, String name, int n, Set<Long> pids) throws IOException {
        for (int k = 0; k < n; k++) {
            long offset = Files.size(log);
            standIn.restart(name);
            await(log, offset, name + ": eth2 attached", Duration.ofSeconds(60));
            pids.add(standIn.pid(name));
        }
        return null;
    }

    /**
     * One container's connects to a network and disconnects from it, asked of the driver's socket as the
     * engine asks them: an address of the IPAM driver (or of the engine's own, {@code prefix}), the
     * endpoint, Join; then Leave, the endpoint's deletion, the address back. The engine's own work
     * between (moving the link into the container, which it does in about a second a connect here) is
     * left out: the engine, not the driver, would set the pace.
     */
    private record Endpoints(Path socket, String network, String pool, String prefix, String sandbox) {
        Void pairs(int n) {
            for (int k = 0; k < n; k++) {
                String endpoint = java.util.HexFormat.of().formatHex(randomBytes());
                String address = pool != null
                        ? Json.string(call("IpamDriver.RequestAddress", Map.of("PoolID", pool, "Address", "", "Options", Map.of())),
                                "Address")
                        : prefix + (2 + k % 250) + "/16";
                Map<String, Object> ids = Map.of("NetworkID", network, "EndpointID", endpoint);
                call("NetworkDriver.CreateEndpoint", with(ids, "Interface", Map.of("Address", address, "AddressIPv6", "",
                        "MacAddress", ""), "Options", Map.of()));
                call("NetworkDriver.Join", with(ids, "SandboxKey", sandbox, "Options", Map.of()));
                call("NetworkDriver.Leave", ids);
                call("NetworkDriver.DeleteEndpoint", ids);
                if (pool != null) {
                    call("IpamDriver.ReleaseAddress", Map.of("PoolID", pool, "Address", address.replaceFirst("/.*", "")));
                }
            }
            return null;
        }

        private static byte[] randomBytes() {
            byte[] b = new byte[32];
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(b);
            return b;
        }

        private static Map<String, Object> with(Map<String, Object> ids, String k1, Object v1, String k2, Object v2) {
            Map<String, Object> m = new java.util.LinkedHashMap<>(ids);
            m.put(k1, v1);
            m.put(k2, v2);
            return m;
        }

        /** One call on the plugin's socket, as the engine makes it; an answer with an error fails the test. */
        private Map<String, Object> call(String method, Map<String, Object> request) {
            byte[] body = Json.write(request).getBytes(StandardCharsets.UTF_8);
            try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                ch.connect(java.net.UnixDomainSocketAddress.of(socket));
                java.io.OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
                out.write(("POST /" + method + " HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/vnd.docker.plugins.v1.2+json"
                        + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                String answer = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
                int split = answer.indexOf("\r\n\r\n");
                String text = split < 0 ? "" : answer.substring(split + 4);
                Map<String, Object> parsed = text.isBlank() ? Map.of() : Json.object(Json.parse(text));
                if (!answer.startsWith("HTTP/1.1 200") || parsed.get("Err") instanceof String err && !err.isEmpty()) {
                    throw new AssertionError(method + " " + Json.write(request) + ": " + answer);
                }
                return parsed;
            } catch (IOException e) {
                throw new AssertionError(method + ": " + e, e);
            }
        }
    }

    private interface Load {
        Void on(String name) throws Exception;
    }

    /** The load on each container, side by side. */
    private static void side(List<String> names, Load load) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(names.size());
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (String name : names) {
                done.add(pool.submit(() -> load.on(name)));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ the process

    /** Starts the front end with the launcher, as its service does (no start-up cache built beside it). */
    private long launch(Path log, Map<String, String> env, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(launcher().toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("PIPEWORK_CDS", "off");
        pb.environment().putAll(Map.of("PIPEWORK_POOLS", work.resolve("pools").toString(), "PIPEWORK_IPAM_STORE",
                "file:" + work.resolve("ipam")));
        front = pb.start();
        return front.pid();
    }

    private static Path launcher() {
        return Pipework.jar().getParent().getParent().resolve("scripts/pipework");
    }

    private void stopFront() {
        if (front != null && front.isAlive()) {
            front.destroy();
            try {
                if (!front.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    front.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        front = null;
    }

    /** The process's figures once it is idle: no child of its own, no process naming the test's addresses (arping). */
    private static Footprint settled(long pid, String addresses) {
        assertTrue(Poll.within(Duration.ofSeconds(15), Poll.TICK, () -> ProcessHandle.of(pid).orElseThrow()
                .descendants().findAny().isEmpty() && Sh.run("pgrep", "-f", " " + addresses).code() == 1),
                "children or processes naming " + addresses + " still running: "
                        + Sh.run("pgrep", "-a", "-f", " " + addresses).out()
                        + ProcessHandle.of(pid).orElseThrow().descendants().map(p -> p.info().commandLine().orElse("?")).toList());
        return Footprint.of(pid);
    }

    private static void assertFlat(long pid, Footprint before, Footprint after, String figures) throws IOException {
        assertEquals(before.fds(), after.fds(), "open descriptors; " + figures + "\n" + fds(pid));
        assertEquals(before.threads(), after.threads(), "threads besides the process reapers; " + figures);
        assertTrue(after.rssKib() <= before.rssKib() * 1.10, "resident memory grew by more than 10 %; " + figures);
        try (Stream<Path> journal = Files.list(Path.of("/run/pipework/journal"))) {
            assertEquals(List.of(), journal.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(pid + "-")).toList(),
                    "journal entries; " + figures);
        } catch (java.nio.file.NoSuchFileException e) {
            // no run ever wrote one on this machine
        }
    }

    private static String figures(String what, int events, double secs, Footprint before, Footprint after) {
        // Clock ticks are 1/100 s on Linux (USER_HZ).
        return String.format("%s: %d events after the warm-up in %.1f s (%.1f/s), CPU %.0f ms an event in the process, %.0f ms in its"
                        + " children; VmRSS %d -> %d KiB (%+.1f %%), fds %d -> %d, threads %d -> %d (process reapers %d -> %d);"
                        + " load average %s", what, events, secs, events / secs,
                (after.cpuTicks() - before.cpuTicks()) * 10.0 / events, (after.childTicks() - before.childTicks()) * 10.0 / events,
                before.rssKib(), after.rssKib(), (after.rssKib() - before.rssKib()) * 100.0 / before.rssKib(),
                before.fds(), after.fds(), before.threads(), after.threads(), before.reapers(), after.reapers(),
                read(Path.of("/proc/loadavg")).strip());
    }

    /** VmRSS, open descriptors, threads besides the process reapers, and those. */
    private record Footprint(long rssKib, int fds, int threads, int reapers, long cpuTicks, long childTicks) {
        static Footprint of(long pid) {
            Path proc = Path.of("/proc/" + pid);
            // After the command's name, which may hold spaces: utime, stime, cutime, cstime are the 12th to 15th.
            String[] stat = read(proc.resolve("stat")).replaceFirst("(?s).*\\) ", "").trim().split(" ");
            long rss = 0;
            int threads = 0;
            for (String line : read(proc.resolve("status")).split("\n")) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
                }
            }
            int reapers = (int) files(proc.resolve("task")).stream()
                    .filter(t -> read(t.resolve("comm")).startsWith("process reaper")).count();
            return new Footprint(rss, files(proc.resolve("fd")).size(), threads - reapers, reapers,
                    Long.parseLong(stat[11]) + Long.parseLong(stat[12]), Long.parseLong(stat[13]) + Long.parseLong(stat[14]));
        }
    }

    private static String fds(long pid) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Path fd : files(Path.of("/proc/" + pid + "/fd"))) {
            try {
                out.append(fd.getFileName()).append(" -> ").append(Files.readSymbolicLink(fd)).append('\n');
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ helpers

    private static List<Path> files(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> bridgePorts(String bridge) {
        return files(Path.of("/sys/class/net", bridge, "brif")).stream().map(p -> p.getFileName().toString()).toList();
    }

    private static Set<String> endpoints(Path log) {
        Set<String> ids = new java.util.TreeSet<>();
        Matcher m = ENDPOINT.matcher(read(log));
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static void await(Path log, String needle, Duration limit) {
        await(log, 0, needle, limit);
    }

    /** Waits until the log, from {@code offset} on, holds {@code needle}. */
    private static void await(Path log, long offset, String needle, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                f.seek(offset);
                byte[] rest = new byte[(int) Math.max(0, f.length() - offset)];
                f.readFully(rest);
                if (new String(rest, StandardCharsets.UTF_8).contains(needle)) {
                    return;
                }
            } catch (IOException e) {
                throw new AssertionError("cannot read " + log, e);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("\"" + needle + "\" not in the log within " + limit + ":\n" + read(log));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
