package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.PrivateEngine;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.SlowIp;

/**
 * SIGTERM to a busy watcher: {@code pipework watch} is attaching 20 labelled containers started at
 * once (10 on a Linux bridge, 10 on an Open vSwitch bridge) when the signal comes. The watcher
 * finishes the attachment under way, begins no other, and exits 0; each container then has its
 * declared interface complete or absent, never half-plumbed; a watcher started again completes the
 * rest.
 *
 * <p>To make "midway" certain, the watcher runs with a slowed {@code ip} first on its PATH
 * ({@link SlowIp}), and the signal is sent while one of a plan's commands runs.
 */
class WatchSignalIT {
    private static final int CONTAINERS = 20;
    private static final Pattern VETH_OF = Pattern.compile("veth1p[lg]([0-9]+)");

    private final String s = HostCleanup.uniqueSuffix();
    private final HostCleanup host = new HostCleanup();
    private PrivateEngine engine;
    private Path work;
    private Process watcher;
    private Path watcherLog;

    /** One container and what it declares. */
    private record Declared(String name, boolean ovs, String bridge, String cidr) {
    }

    @BeforeEach
    void engine() throws IOException {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        engine = PrivateEngine.start();
        work = Files.createTempDirectory("pw-watch-signal");
    }

    @AfterEach
    void cleanUp() {
        try {
            if (watcher != null && watcher.isAlive()) {
                watcher.destroyForcibly();
            }
        } finally {
            try {
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
    }

    @Test
    void sigtermWhileAttachingTwentyContainersLeavesEachCompleteOrAbsentAndARestartCompletesTheRest()
            throws Exception {
        String br = host.bridge("brws" + s);
        String ovs = host.ovsBridge("ovsws" + s);
        List<Declared> declared = new ArrayList<>();
        for (int i = 0; i < CONTAINERS; i++) {
            boolean onOvs = i % 2 == 1;
            declared.add(new Declared("pw-wsig-" + s + "-" + i, onOvs, onOvs ? ovs : br,
                    (onOvs ? "10.83.0." : "10.84.0.") + (i + 2) + "/24"));
        }
        SlowIp ip = SlowIp.in(work.resolve("slow-ip"), "0.25");
        startWatcher(ip.env());
        for (Declared d : declared) {
            engine.dockerOk("create", "--net=none", "--name", d.name(), "--label",
                    "pipework=" + d.bridge() + " " + d.cidr(), Prerequisites.TEST_IMAGE, "sleep", "86400");
        }
        // docker start goes on beside the polling: the signal may come before all 20 are started.
        List<String> start = new ArrayList<>(List.of("docker", "start"));
        declared.forEach(d -> start.add(d.name()));
        ProcessBuilder starter = new ProcessBuilder(start).redirectErrorStream(true)
                .redirectOutput(work.resolve("docker-start.log").toFile());
        starter.environment().putAll(engine.env());
        Process starting = starter.start();

        // Midway: a few attached already, and one of a plan's commands running now.
        Set<Integer> inFlight;
        try {
            inFlight = Poll.until(Duration.ofSeconds(120), Duration.ofMillis(10), () -> {
                long attached = log().lines().filter(l -> l.contains(": eth1 attached")).count();
                Set<Integer> running = runningPlanCommands(ip);
                return attached >= 3 && !running.isEmpty() ? java.util.Optional.of(running) : java.util.Optional.empty();
            }, "a few containers attached and another one's plan under way");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the watcher's log:\n" + log(), e);
        }
        watcher.destroy();
        assertTrue(watcher.waitFor(60, TimeUnit.SECONDS), "still running 60 s after SIGTERM:\n" + log());
        assertEquals(0, watcher.exitValue(), log());
        assertTrue(log().contains("pipework: watch: stopped"), log());
        assertTrue(starting.waitFor(120, TimeUnit.SECONDS), "docker start still running");
        assertEquals(0, starting.exitValue(), Files.readString(work.resolve("docker-start.log")));
        Map<Integer, Declared> byPid = new HashMap<>();
        for (Declared d : declared) {
            byPid.put(engine.pid(d.name()), d);
        }

        Map<String, String> state = states(declared, byPid);
        long complete = state.values().stream().filter(v -> v.equals("complete")).count();
        assertEquals(List.of(), state.entrySet().stream().filter(e -> !e.getValue().equals("complete")
                && !e.getValue().equals("absent")).map(e -> e.getKey() + ": " + e.getValue()).toList(),
                "half-plumbed after SIGTERM; the watcher said:\n" + log());
        for (int pid : inFlight) {
            assertTrue(byPid.containsKey(pid), "PID " + pid + " is none of the containers'");
            assertEquals("complete", state.get(byPid.get(pid).name()),
                    "the attachment under way at the signal was not finished; the watcher said:\n" + log());
        }
        assertTrue(complete < CONTAINERS,
                "all " + CONTAINERS + " were attached before the signal took effect:\n" + log());
        assertLeftNothingHalfDone(br, ovs, declared, byPid, state);
        System.out.println("WatchSignalIT: SIGTERM while the plan of the container(s) with PID " + inFlight
                + " ran; " + complete + " of " + CONTAINERS + " complete, the others absent");

        // A watcher started again (without the slowed ip) completes the rest.
        startWatcher(Map.of());
        assertTrue(Poll.within(Duration.ofSeconds(120), Poll.TICK, () -> states(declared, byPid).values().stream()
                .allMatch(v -> v.equals("complete"))), "not all plumbed after the restart: " + states(declared, byPid)
                + "; the watcher said:\n" + log());
        assertLeftNothingHalfDone(br, ovs, declared, byPid, states(declared, byPid));
        watcher.destroy();
        assertTrue(watcher.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGTERM:\n" + log());
        assertEquals(0, watcher.exitValue(), log());
    }

    /** The containers (by PID) one of whose plan's commands has begun and not ended. */
    private static Set<Integer> runningPlanCommands(SlowIp ip) {
        Set<Integer> running = new TreeSet<>();
        for (String what : ip.running()) {
            Matcher m = VETH_OF.matcher(what);
            while (SlowIp.changes(what) && m.find()) {
                running.add(Integer.parseInt(m.group(1)));
            }
        }
        return running;
    }

    /**
     * Each container's state: {@code complete} (eth1 up with its address in the container, its host
     * end up and on the declared bridge), {@code absent} (nothing of it on either side), else what is
     * half done.
     */
    private Map<String, String> states(List<Declared> declared, Map<Integer, Declared> byPid) {
        Map<String, String> states = new LinkedHashMap<>();
        List<String> ovsPorts = new ArrayList<>();
        declared.stream().filter(Declared::ovs).map(Declared::bridge).distinct().forEach(b -> {
            if (Ovs.bridgeExists(b)) {
                ovsPorts.addAll(Ovs.ports(b));
            }
        });
        for (Map.Entry<Integer, Declared> e : byPid.entrySet()) {
            int pid = e.getKey();
            Declared d = e.getValue();
            String hostEnd = "veth1pl" + pid;
            var guest = IpJson.link(pid, "eth1");
            var hostLink = IpJson.link(null, hostEnd);
            boolean peerOnHost = IpJson.hostLinkExists("veth1pg" + pid);
            boolean port = ovsPorts.contains(hostEnd);
            if (guest.isEmpty() && hostLink.isEmpty() && !peerOnHost && !port) {
                states.put(d.name(), "absent");
                continue;
            }
            List<String> wrong = new ArrayList<>();
            if (guest.isEmpty()) {
                wrong.add("no eth1 in the container");
            } else {
                if (!IpJson.flags(guest.get()).contains("UP")) {
                    wrong.add("eth1 down");
                }
                if (!IpJson.addresses(pid, "eth1").contains(d.cidr())) {
                    wrong.add("eth1 without " + d.cidr() + " " + IpJson.addresses(pid, "eth1"));
                }
            }
            if (hostLink.isEmpty()) {
                wrong.add("no host end " + hostEnd);
            } else if (!IpJson.flags(hostLink.get()).contains("UP")) {
                wrong.add(hostEnd + " down");
            }
            if (peerOnHost) {
                wrong.add("veth1pg" + pid + " left on the host");
            }
            if (d.ovs() && !port) {
                wrong.add("no port on " + d.bridge());
            }
            if (!d.ovs() && hostLink.isPresent() && !d.bridge().equals(hostLink.get().get("master"))) {
                wrong.add(hostEnd + " not on " + d.bridge());
            }
            states.put(d.name(), wrong.isEmpty() ? "complete" : String.join(", ", wrong));
        }
        return states;
    }

    /** No port on either bridge but a complete container's host end, and no OVS port without its interface. */
    private static void assertLeftNothingHalfDone(String br, String ovs, List<Declared> declared,
                                                  Map<Integer, Declared> byPid, Map<String, String> state) {
        Set<String> completeEnds = new TreeSet<>();
        byPid.forEach((pid, d) -> {
            if ("complete".equals(state.get(d.name()))) {
                completeEnds.add("veth1pl" + pid);
            }
        });
        if (Files.isDirectory(Path.of("/sys/class/net", br))) {
            for (String p : IpJson.bridgePorts(br)) {
                assertTrue(completeEnds.contains(p), "a port on " + br + " of no complete container: " + p);
            }
        }
        if (Ovs.bridgeExists(ovs)) {
            for (String p : Ovs.ports(ovs)) {
                assertTrue(completeEnds.contains(p), "a port on " + ovs + " of no complete container: " + p);
                assertTrue(Files.exists(Path.of("/sys/class/net", p)), "an OVS port without its interface: " + p);
            }
        }
        assertEquals(CONTAINERS, declared.size());
    }

    private void startWatcher(Map<String, String> env) throws IOException {
        Path config = work.resolve("watch-config");
        Files.writeString(config, "");
        // The bridges this test's labels name are made by the first attach: the policy file allows it.
        Path policy = work.resolve("watch.conf");
        Files.writeString(policy, "allow create-bridge brws* ovsws*\n");
        watcherLog = work.resolve("watch-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(Pipework.command(List.of("watch", "--config", config.toString(),
                "--policy", policy.toString())))
                .redirectErrorStream(true).redirectOutput(watcherLog.toFile());
        pb.environment().putAll(engine.env());
        pb.environment().putAll(env);
        watcher = pb.start();
        assertTrue(Poll.within(Duration.ofSeconds(30), Poll.TICK, () -> log().contains("following the events")),
                "the watcher does not follow the events:\n" + log());
    }

    private String log() {
        try {
            return watcherLog == null ? "" : Files.readString(watcherLog, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
