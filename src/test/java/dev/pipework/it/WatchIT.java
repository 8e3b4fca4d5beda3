package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.pipework.it.support.DhcpServer;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.PrivateEngine;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;

/**
 * Declared attachments, kept by {@code pipework watch} and {@code pipework apply}, on real containers
 * of a Docker engine of the test's own (so that the watcher sees only this test's containers, and the
 * engine can be stopped and started again without disturbing other tests).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchIT {
    private static PrivateEngine engine;
    private static Path work;
    private static Process watcher;
    private static Path watcherLog;
    private static final String S = HostCleanup.uniqueSuffix();
    private static final HostCleanup HOST = new HostCleanup();

    @BeforeAll
    static void engine() throws IOException {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        engine = PrivateEngine.start();
        work = Files.createTempDirectory("pw-watch");
        Files.writeString(work.resolve("pools"), "pool wp 10.81.0.0/24 gateway 10.81.0.1\n");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try {
            stopWatcher();
        } finally {
            try {
                if (engine != null) {
                    engine.close();
                }
            } finally {
                HOST.close();
                if (work != null) {
                    Sh.run("rm", "-rf", work.toString());
                }
            }
        }
    }

    // ------------------------------------------------------------------ apply

    /** apply attaches what is missing; a second run changes nothing; a different declaration is reported. */
    @Test
    @Order(1)
    void applyTwiceChangesNothingTheSecondTime() throws IOException {
        String br = HOST.bridge("brwa" + S);
        String ovs = HOST.ovsBridge("ovswa" + S);
        String c = run("apply", "--label", "pipework=" + br + " 10.71.0.2/24",
                "--label", "pipework.lan=" + ovs + " -i eth2 10.72.0.2/24 @100");
        Path config = work.resolve("empty");
        Files.writeString(config, "# nothing\n");
        Sh.Result first = apply("--config", config.toString());
        assertEquals(0, first.code(), first.describe());
        assertTrue(first.err().contains(c + ": eth1 attached"), first.err());
        assertTrue(first.err().contains(c + ": eth2 attached"), first.err());
        String links = hostState(br, ovs) + guestLinks(c);
        Sh.Result second = apply("--config", config.toString());
        assertEquals(0, second.code(), second.describe());
        assertTrue(second.err().contains("nothing to change (2 interfaces in place as declared)"), second.err());
        assertEquals(links, hostState(br, ovs) + guestLinks(c), "the second apply changed something");

        // In place but different: reported, left alone, exit status 1.
        Path different = work.resolve("different");
        Files.writeString(different, br + " " + c + " 10.71.0.99/24\n");
        Sh.Result third = apply("--config", different.toString(), "--json");
        assertEquals(1, third.code(), third.describe());
        assertTrue(third.err().contains(c + ": eth1 different"), third.err());
        assertTrue(third.out().contains("\"action\": \"different\""), third.out());
        assertEquals(links, hostState(br, ovs) + guestLinks(c), "a different declaration was acted on");
        engine.dockerOk("rm", "-f", c);
    }

    // ------------------------------------------------------------------ watch

    /**
     * Plumbed after docker run; two labels, two interfaces; OVS VLAN labels give working VLANs. How soon is a
     * figure of {@code scripts/bench --restart}, not of this test: the bound here only stops a hang.
     */
    @Test
    @Order(2)
    void labelledContainersArePlumbedAndVlansWork() {
        startWatcher();
        String br = HOST.bridge("brwb" + S);
        String ovs = HOST.ovsBridge("ovswb" + S);
        // A first container warms the watcher's JVM up, as any earlier start would.
        String warm = run("warm", "--label", "pipework=" + br + " 10.73.0.250/24");
        awaitAddress(warm, "eth1", "10.73.0.250/24", Duration.ofSeconds(10), System.nanoTime());
        String a = run("vlan-a", "--label", "pipework=" + br + " 10.73.0.2/24",
                "--label", "pipework.lan=" + ovs + " -i eth2 10.74.0.2/24 @100");
        long started = System.nanoTime();
        awaitAddress(a, "eth1", "10.73.0.2/24", Duration.ofSeconds(30), started);
        awaitAddress(a, "eth2", "10.74.0.2/24", Duration.ofSeconds(30), started);
        String b = run("vlan-b", "--label", "pipework=" + ovs + " 10.74.0.3/24 @100");
        String c = run("vlan-c", "--label", "pipework=" + ovs + " 10.74.0.4/24 @200");
        awaitAddress(b, "eth1", "10.74.0.3/24", Duration.ofSeconds(5), System.nanoTime());
        awaitAddress(c, "eth1", "10.74.0.4/24", Duration.ofSeconds(5), System.nanoTime());
        assertEquals(java.util.Optional.of(100L), Ovs.portTag("veth2pl" + engine.pid(a)));
        assertTrue(ping(b, "10.74.0.2"), "same VLAN (100) does not reach");
        assertFalse(ping(c, "10.74.0.2"), "another VLAN (200) reaches");
    }

    /** 50 restarts: the interfaces come back every time with the same addresses, and nothing leaks. */
    @Test
    @Order(3)
    void fiftyRestartsBringTheInterfacesBackWithoutLeaks() {
        startWatcher();
        String br = HOST.bridge("brwc" + S);
        String ovs = HOST.ovsBridge("ovswc" + S);
        String c = run("restarts", "--label", "pipework=" + br + " 10.75.0.2/24",
                "--label", "pipework.lan=" + ovs + " -i eth2 10.76.0.2/24 @100");
        awaitAddress(c, "eth1", "10.75.0.2/24", Duration.ofSeconds(5), System.nanoTime());
        awaitAddress(c, "eth2", "10.76.0.2/24", Duration.ofSeconds(5), System.nanoTime());
        String first = bridgePorts(br).size() + " " + Ovs.ports(ovs).size();
        assertEquals("1 1", first);
        for (int i = 1; i <= 50; i++) {
            engine.dockerOk("restart", "-t", "0", c);
            long returned = System.nanoTime();
            awaitAddress(c, "eth1", "10.75.0.2/24", Duration.ofSeconds(10), returned);
            awaitAddress(c, "eth2", "10.76.0.2/24", Duration.ofSeconds(10), returned);
        }
        int pid = engine.pid(c);
        await("one port per bridge after 50 restarts", Duration.ofSeconds(10),
                () -> bridgePorts(br).equals(List.of("veth1pl" + pid)) && Ovs.ports(ovs).equals(List.of("veth2pl" + pid)));
    }

    /**
     * A container declaring DHCP ({@code pipework=<bridge> dhclient}, dnsmasq on that bridge) restarted
     * under the watcher: the watcher's attach after the restart gets the same address back (the same
     * client ID, the lease file the keeper kept); once the container is removed, its kept client is
     * gone and the keeper's record of it too.
     */
    @Test
    @Order(10)
    void aDhcpDeclarationGetsTheSameAddressBackAfterARestart() throws IOException {
        Prerequisites.requireCommand("dnsmasq");
        Prerequisites.requireCommand("dhclient");
        startWatcher();
        try (Rig rig = new Rig(); DhcpServer dhcp = DhcpServer.keeping(rig, false)) {
            String c = run("dhcp", "--label", "pipework=" + dhcp.bridge() + " dhclient");
            String first = leased(c, Duration.ofSeconds(30));
            engine.dockerOk("restart", "-t", "0", c);
            String again = leased(c, Duration.ofSeconds(30));
            assertEquals(first, again, "another address after the restart:\n" + dhcp.dhcpLog() + log());
            engine.dockerOk("rm", "-f", c);
            await("the keeper's record of " + c + " gone", Duration.ofSeconds(15), () -> {
                try (java.util.stream.Stream<Path> records = Files.list(Path.of("/var/lib/pipework/dhcp"))) {
                    return records.filter(f -> f.toString().endsWith(".record")).noneMatch(f -> {
                        try {
                            return Files.readString(f).contains("hostname=" + c + "\n");
                        } catch (IOException e) {
                            return false;
                        }
                    });
                } catch (IOException e) {
                    return true;
                }
            });
        }
    }

    /** The DHCP address of the container's eth1 as it is now (its init process read again), waited for. */
    private static String leased(String container, Duration limit) {
        return Poll.until(limit, Poll.TICK, () -> {
            try {
                return IpJson.ipv4(engine.pid(container), "eth1").stream().filter(a -> a.startsWith("10.161.0.")).findFirst();
            } catch (RuntimeException | AssertionError e) {
                return java.util.Optional.empty();
            }
        }, "a DHCP address on eth1 of " + container + "\n" + log());
    }

    /** docker stop of an OVS-attached container removes its port (the original leaves it). */
    @Test
    @Order(4)
    void stopRemovesTheOvsPort() {
        startWatcher();
        String ovs = HOST.ovsBridge("ovswd" + S);
        String c = run("stop", "--label", "pipework=" + ovs + " 10.77.0.2/24 @100");
        awaitAddress(c, "eth1", "10.77.0.2/24", Duration.ofSeconds(5), System.nanoTime());
        assertEquals(1, Ovs.ports(ovs).size());
        engine.dockerOk("stop", "-t", "0", c);
        await("the port of the stopped container removed", Duration.ofSeconds(3), () -> Ovs.ports(ovs).isEmpty());
        engine.dockerOk("start", c);
        awaitAddress(c, "eth1", "10.77.0.2/24", Duration.ofSeconds(5), System.nanoTime());
        engine.dockerOk("rm", "-f", c);
        await("the port of the removed container removed", Duration.ofSeconds(3), () -> Ovs.ports(ovs).isEmpty());
    }

    /** A bad label is logged with the container's name and value; the container's other label is plumbed. */
    @Test
    @Order(5)
    void aBadLabelDoesNotStopTheOthers() {
        startWatcher();
        String br = HOST.bridge("brwe" + S);
        String c = run("bad", "--label", "pipework.bad=" + br + " not-an-address",
                "--label", "pipework.good=" + br + " -i eth3 10.78.0.2/24");
        awaitAddress(c, "eth3", "10.78.0.2/24", Duration.ofSeconds(5), System.nanoTime());
        await("the bad label logged", Duration.ofSeconds(3),
                () -> log().contains(c + ": ") && log().contains("not-an-address"));
    }

    /** A label naming an overlay's bridge: the container's interface has the overlay's MTU (1500 less 50). */
    @Test
    @Order(5)
    void aLabelOnAnOverlaysBridgeGetsTheOverlaysMtu() {
        startWatcher();
        String underlay = HOST.link("uw" + S);
        String br = HOST.bridge("brwo" + S);
        HOST.link("vx-brwo" + S);
        // A veth as the underlay: this kernel may lack the dummy module.
        Sh.ok("ip", "link", "add", underlay, "type", "veth", "peer", "name", "ue" + underlay.substring(2));
        Sh.ok("ip", "link", "set", underlay, "up");
        int x = java.util.concurrent.ThreadLocalRandom.current().nextInt(0, 256);
        Sh.ok("ip", "addr", "add", "198.18." + x + ".1/24", "dev", underlay);
        String vni = Integer.toString(java.util.concurrent.ThreadLocalRandom.current().nextInt(100_000, 16_000_000));
        Pipework.ok("overlay", "add", br, "vni", vni, "underlay", underlay, "peers", "198.18." + x + ".2");
        String c = run("overlay", "--label", "pipework=" + br + " 10.78.1.2/24");
        awaitAddress(c, "eth1", "10.78.1.2/24", Duration.ofSeconds(5), System.nanoTime());
        assertEquals("1450", engine.dockerOk("exec", c, "cat", "/sys/class/net/eth1/mtu").trimmed(),
                "the watcher's attachment to the overlay's bridge has the overlay's MTU");
        engine.dockerOk("rm", "-f", c);
    }

    /** 100 labelled containers started together: all plumbed, none twice. */
    @Test
    @Order(6)
    void hundredContainersStartedTogetherAreAllPlumbedOnce() throws Exception {
        startWatcher();
        String br = HOST.bridge("brwf" + S);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String name = "pw-watch-" + S + "-many-" + i;
            names.add(name);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Sh.Result>> created = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String label = "pipework=" + br + " 10.79." + (i / 200) + "." + (i % 200 + 2) + "/16";
                String name = names.get(i);
                created.add(pool.submit(() -> engine.docker("create", "--net=none", "--name", name, "--label", label,
                        Prerequisites.TEST_IMAGE, "sleep", "86400")));
            }
            for (Future<Sh.Result> f : created) {
                assertEquals(0, f.get().code(), f.get().describe());
            }
        } finally {
            pool.shutdown();
        }
        List<String> start = new ArrayList<>(List.of("start"));
        start.addAll(names);
        engine.dockerOk(Duration.ofMinutes(5), start.toArray(String[]::new));
        await("100 ports on the bridge", Duration.ofSeconds(120), () -> bridgePorts(br).size() >= 100);
        Thread.sleep(1000);
        assertEquals(100, bridgePorts(br).size(), "ports on the bridge");
        for (int i = 0; i < names.size(); i++) {
            String links = guestLinks(names.get(i));
            assertTrue(links.contains("10.79." + (i / 200) + "." + (i % 200 + 2) + "/16"), names.get(i) + ": " + links);
        }
        for (String name : names) {
            long attached = log().lines().filter(l -> l.startsWith("pipework: " + name + ": eth1 attached")).count();
            assertEquals(1, attached, name + " attached " + attached + " times:\n" + log());
        }
        assertEquals(java.util.Optional.empty(), engine.remove(names, Duration.ofMinutes(2)));
    }

    /** The engine stopped and started again: the watcher reconnects and plumbs a container started after. */
    @Test
    @Order(7)
    void theWatcherReconnectsWhenTheEngineComesBack() {
        startWatcher();
        String br = HOST.bridge("brwg" + S);
        engine.down();
        // The bounds only stop a hang: the watcher may still be working through the events of the
        // hundred containers before (their destroy events) on a busy machine.
        await("the watcher saw the engine go", Duration.ofSeconds(90), () -> log().contains("the engine went away"));
        engine.up();
        String c = run("after", "--label", "pipework=" + br + " 10.80.0.2/24");
        awaitAddress(c, "eth1", "10.80.0.2/24", Duration.ofSeconds(90), System.nanoTime());
        assertTrue(watcher.isAlive(), "the watcher ended:\n" + log());
    }

    /** SIGTERM: exit status 0 (promptly; the bound only stops a hang). */
    @Test
    @Order(8)
    void sigtermEndsTheWatcherWithZero() throws Exception {
        startWatcher();
        await("the watcher follows the events", Duration.ofSeconds(20), () -> log().contains("following the events"));
        watcher.destroy();
        assertTrue(watcher.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGTERM");
        assertEquals(0, watcher.exitValue(), log());
        watcher = null;
    }

    /** The systemd unit is well-formed, where systemd-analyze is installed. */
    @Test
    @Order(9)
    void theSystemdUnitVerifies() throws IOException {
        Prerequisites.requireCommand("systemd-analyze");
        Path root = Pipework.jar().getParent().getParent();
        String unit = Files.readString(root.resolve("packaging/pipework-watch.service"), StandardCharsets.UTF_8);
        assertTrue(unit.contains("\nExecStart=/usr/bin/pipework watch\n"), unit);
        assertTrue(unit.contains("\nAfter=docker.service") && unit.contains("\nRestart=on-failure\n"), unit);
        Path dir = Files.createDirectories(work.resolve("unit"));
        Path copy = dir.resolve("pipework-watch.service");
        Files.writeString(copy, unit.replace("ExecStart=/usr/bin/pipework ",
                "ExecStart=" + root.resolve("scripts/pipework") + " "));
        Sh.Result r = Sh.run(List.of("systemd-analyze", "verify", "--man=no", copy.toString()), Duration.ofSeconds(60));
        assertEquals(0, r.code(), r.describe());
    }

    // ------------------------------------------------------------------ helpers

    /** The test's own pools file and store. */
    private static java.util.Map<String, String> pools() {
        return java.util.Map.of("PIPEWORK_POOLS", work.resolve("pools").toString(),
                "PIPEWORK_IPAM_STORE", "file:" + work.resolve("ipam"));
    }

    private static long poolHeld() {
        Sh.Result ls = Pipework.run(List.of("pool", "ls", "--json"), Duration.ofSeconds(60), pools());
        assertEquals(0, ls.code(), ls.describe());
        return (Long) dev.pipework.json.Json.at(dev.pipework.json.Json.parse(ls.out()), "pools", "0", "held");
    }

    private static String run(String label, String... dockerArgs) {
        String name = "pw-watch-" + S + "-" + label;
        List<String> argv = new ArrayList<>(List.of("run", "-d", "--net=none", "--name", name));
        argv.addAll(List.of(dockerArgs));
        argv.addAll(List.of(Prerequisites.TEST_IMAGE, "sleep", "86400"));
        engine.dockerOk(argv.toArray(String[]::new));
        return name;
    }

    private static Sh.Result apply(String... args) {
        List<String> argv = new ArrayList<>(List.of("apply", "--policy", policy().toString()));
        argv.addAll(List.of(args));
        return Pipework.run(argv, Duration.ofMinutes(2), engine.env());
    }

    /** The bridges this test's labels name are made by the first attach: the policy file allows it. */
    private static Path policy() {
        Path policy = work.resolve("watch.conf");
        try {
            Files.writeString(policy, "allow create-bridge brw* ovsw*\n");
        } catch (IOException e) {
            throw new AssertionError("cannot write " + policy, e);
        }
        return policy;
    }

    /** A container given an address from a pool, removed with {@code docker rm -f}, never {@code del}: it goes back. */
    @Test
    @Order(11)
    void aDestroyedContainersPoolAddressGoesBack() {
        startWatcher();
        String br = HOST.bridge("brwp" + S);
        String c = run("pool", "--label", "pipework=" + br + " pool:wp");
        awaitAddress(c, "eth1", "10.81.0.2/24", Duration.ofSeconds(30), System.nanoTime());
        assertEquals(1L, poolHeld());
        engine.dockerOk("rm", "-f", c);
        await("the address given back", Duration.ofSeconds(30), () -> poolHeld() == 0L);
        assertTrue(log().contains("destroyed; gave back 10.81.0.2/24 to pool \"wp\""), log());
    }

    private static synchronized void startWatcher() {
        if (watcher != null && watcher.isAlive()) {
            return;
        }
        try {
            Path config = work.resolve("watch-config");
            Files.writeString(config, "");
            watcherLog = work.resolve("watch.log");
            ProcessBuilder pb = new ProcessBuilder(Pipework.command(List.of("watch", "--config", config.toString(),
                    "--policy", policy().toString())))
                    .redirectErrorStream(true).redirectOutput(watcherLog.toFile());
            pb.environment().putAll(engine.env());
            pb.environment().putAll(pools());
            watcher = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start pipework watch: " + e, e);
        }
        await("the watcher follows the events", Duration.ofSeconds(30), () -> log().contains("following the events"));
    }

    private static void stopWatcher() {
        if (watcher != null) {
            watcher.destroy();
            try {
                if (!watcher.waitFor(20, TimeUnit.SECONDS)) {
                    watcher.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String log() {
        try {
            return watcherLog == null ? "" : Files.readString(watcherLog, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the container's interface holds the address and is up, at most {@code limit} after {@code from}. */
    private static void awaitAddress(String container, String iface, String cidr, Duration limit, long from) {
        long deadline = from + limit.toNanos();
        String last = "";
        while (true) {
            Sh.Result pid = engine.docker("inspect", "--format", "{{.State.Pid}}", container);
            if (pid.code() == 0 && !pid.trimmed().equals("0")) {
                Sh.Result r = Sh.run("nsenter", "-t", pid.trimmed(), "-n", "ip", "-o", "addr", "show", "dev", iface, "up");
                last = r.out();
                if (r.code() == 0 && r.out().contains(" " + cidr + " ")) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(container + ": " + iface + " with " + cidr + " not there within " + limit
                        + " (" + last.strip() + "); the watcher said:\n" + log());
            }
            sleepMs(20);
        }
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + limit + "; the watcher said:\n" + log());
            }
            sleepMs(50);
        }
    }

    private static List<String> bridgePorts(String bridge) {
        try (var files = Files.list(Path.of("/sys/class/net", bridge, "brif"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String hostState(String br, String ovs) {
        StringBuilder state = new StringBuilder(bridgePorts(br).toString());
        for (String port : Ovs.ports(ovs)) {
            state.append(' ').append(port).append(' ').append(Ovs.portTag(port)).append(' ')
                    .append(new java.util.TreeMap<>(Ovs.interfaceExternalIds(port)));
        }
        return state.append('\n').toString();
    }

    private static String guestLinks(String container) {
        return Sh.ok("nsenter", "-t", Integer.toString(engine.pid(container)), "-n", "ip", "-o", "addr").out();
    }

    private static boolean ping(String from, String ip) {
        return Sh.run("nsenter", "-t", Integer.toString(engine.pid(from)), "-n", "ping", "-c", "1", "-W", "2", ip)
                .code() == 0;
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
