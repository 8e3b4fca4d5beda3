package dev.pipework.it;

import dev.pipework.exec.Journal;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.PrivateEngine;
import dev.pipework.it.support.PrivateOvsdb;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parts below pipework failing: Open vSwitch's database stopped before or during a run, the
 * journal's directory full or read-only, the Docker engine stopped between the lookup of a container
 * and its plumbing. Each time: one line on stderr, exit 1, the host as before.
 *
 * <p>The database is an {@code ovsdb-server} of the test's own ({@link PrivateOvsdb}, its socket in
 * a temporary directory), with a stand-in for the switch's applying each change; the machine's Open
 * vSwitch is never touched. The bridge is a veth
 * end of the test's, which that database names as a bridge.
 */
class ComponentFaultIT {
    private static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    /** The private database ({@link PrivateOvsdb}), started with a stand-in switch. */
    private PrivateOvsdb ovsdb() throws IOException {
        PrivateOvsdb db = new PrivateOvsdb(tmp.resolve("ovsdb"));
        db.standInSwitch();
        return db;
    }

    /** A run's environment against the private database, its journal the test's. */
    private Map<String, String> env(PrivateOvsdb db) {
        return db.env(tmp.resolve("journal"));
    }

    @Test
    void openVswitchsDatabaseStoppedBeforeARun() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns(); PrivateOvsdb ovsdb = ovsdb()) {
            String bridge = "pwof" + HostCleanup.uniqueSuffix();
            host.createVeth(bridge, bridge + "p");
            ovsdb.vsctl("add-br", bridge).assertOk("add-br");
            String guest = netns.create("of");
            String before = state(guest);
            ovsdb.stop();
            // Taken for a NIC, the bridge got a macvlan (exit 0) when its database did not answer.
            Sh.Result r = Pipework.run(List.of(bridge, "-i", "eth1", guest, "10.79.4.2/24"), RUN, env(ovsdb));
            assertOneLine(r, "pipework: Open vSwitch's database does not answer (is ovsdb-server running?): unix:"
                    + ovsdb.dir.resolve("db.sock") + ": database connection failed");
            assertEquals(before, state(guest));
            // A bridge to be created (an ovs name with no link) is refused the same way.
            Sh.Result create = Pipework.run(List.of("ovs" + HostCleanup.uniqueSuffix(), "-i", "eth1", guest,
                    "10.79.4.2/24"), RUN, env(ovsdb));
            assertOneLine(create, "pipework: Open vSwitch's database does not answer");
            assertEquals(before, state(guest));
        }
    }

    @Test
    void openVswitchsDatabaseStoppedDuringARun() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns(); PrivateOvsdb ovsdb = ovsdb()) {
            String bridge = "pwod" + HostCleanup.uniqueSuffix();
            host.createVeth(bridge, bridge + "p");
            ovsdb.vsctl("add-br", bridge).assertOk("add-br");
            String guest = netns.create("od");
            String before = state(guest);
            Files.createFile(ovsdb.dir.resolve("stop-after-veth"));
            Sh.Result r = Pipework.run(List.of(bridge, "-i", "eth1", guest, "10.79.5.2/24", "@12"), RUN, env(ovsdb));
            assertOneLine(r, "pipework: failed to ");
            assertTrue(r.err().contains(": Open vSwitch's database does not answer (is ovsdb-server running?): "), r.err());
            assertEquals(before, state(guest));
            Files.delete(ovsdb.dir.resolve("stop-after-veth"));
            ovsdb.start();
            assertEquals("", ovsdb.vsctl("list-ports", bridge).out().strip());
            assertEquals(List.of(), journal(), "the run's journal entry is left");
        }
    }

    /**
     * {@code del} while the database is stopped: an Open vSwitch attachment is refused with the
     * database's line and left whole (its link and, once the server is back, its port record); a
     * Linux bridge's attachment of the same guest is removed as ever.
     */
    @Test
    void delWithOpenVswitchsDatabaseStopped() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns(); PrivateOvsdb ovsdb = ovsdb()) {
            String bridge = "pwox" + HostCleanup.uniqueSuffix();
            host.createVeth(bridge, bridge + "p");
            ovsdb.vsctl("add-br", bridge).assertOk("add-br");
            String linux = host.createBridge("pwoy" + HostCleanup.uniqueSuffix());
            String guest = netns.create("ox");
            Sh.Result ovs = Pipework.run(List.of(bridge, "-i", "eth1", guest, "10.79.10.2/24", "@13"), RUN, env(ovsdb));
            assertEquals(0, ovs.code(), ovs.describe());
            Sh.Result lb = Pipework.run(List.of(linux, "-i", "eth2", guest, "10.79.11.2/24"), RUN, env(ovsdb));
            assertEquals(0, lb.code(), lb.describe());
            List<String> port = List.of(ovsdb.vsctl("list-ports", bridge).out().strip());
            assertEquals(1, port.get(0).lines().count(), "one port: " + port);
            ovsdb.stop();
            String before = state(guest) + ports(linux);
            Sh.Result r = Pipework.run(List.of("del", guest, "-i", "eth1"), RUN, env(ovsdb));
            assertOneLine(r, "pipework: Open vSwitch's database does not answer (is ovsdb-server running?): unix:"
                    + ovsdb.dir.resolve("db.sock") + ": database connection failed");
            assertEquals(before, state(guest) + ports(linux), "del changed the host");
            Sh.Result other = Pipework.run(List.of("del", guest, "-i", "eth2"), RUN, env(ovsdb));
            assertEquals(0, other.code(), other.describe());
            assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> ports(linux).equals("ports: []\n")
                    && !state(guest).contains("eth2")), state(guest) + ports(linux));
            ovsdb.start();
            assertEquals(port, List.of(ovsdb.vsctl("list-ports", bridge).out().strip()), "the port record went");
            Sh.Result again = Pipework.run(List.of("del", guest, "-i", "eth1"), RUN, env(ovsdb));
            assertEquals(0, again.code(), again.describe());
            assertEquals("", ovsdb.vsctl("list-ports", bridge).out().strip());
            assertEquals(List.of(), journal(), "a journal entry is left");
        }
    }

    /**
     * An attach to a container of an engine of the test's own (no live-restore): the run's first
     * change waits ({@code ip} on the tool's PATH blocks until told) while the engine is stopped,
     * which stops the container; then the run goes on in the namespace it holds open, finds the
     * container gone and undoes what it did: one line, exit 1, no veth, no port on the bridge, no
     * journal entry, no netns mount.
     */
    @Test
    void dockerdStoppedBetweenTheLookupAndThePlumbing() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Path bin = heldIp("blocked");
        try (HostCleanup host = new HostCleanup(); PrivateEngine engine = PrivateEngine.start()) {
            String bridge = host.createBridge("pwoe" + HostCleanup.uniqueSuffix());
            String name = "pw-it-oe" + HostCleanup.uniqueSuffix();
            // Stopped at once when the engine stops (busybox's sleep as PID 1 ignores SIGTERM).
            engine.dockerOk("run", "-d", "--net=none", "--stop-timeout", "0", "--name", name, Prerequisites.TEST_IMAGE,
                    "sleep", "86400");
            int pid = engine.pid(name);
            host.link("veth1pl" + pid);
            Map<String, String> env = new HashMap<>(engine.env());
            env.put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
            env.put(Journal.DIR_VARIABLE, tmp.resolve("journal").toString());
            java.util.concurrent.CompletableFuture<Sh.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Pipework.run(List.of(bridge, name, "10.79.10.2/24"), RUN, env));
            assertTrue(Poll.within(RUN, Poll.TICK, () -> Files.exists(bin.resolve("waiting")) || run.isDone()),
                    "the run made no change");
            assertTrue(!run.isDone(), run.getNow(null) == null ? "" : run.getNow(null).describe());
            engine.down();
            assertTrue(Poll.within(Duration.ofSeconds(10), Poll.TICK, () -> !Files.exists(Path.of("/proc/" + pid))),
                    "the container's process outlived its engine");
            Files.createFile(bin.resolve("go"));
            Sh.Result r = run.get(RUN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertOneLine(r, "pipework: container \"" + name + "\" stopped while it was being plumbed (its PID was " + pid
                    + "); what this run did was undone");
            assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> !HostCleanup.linkExists("veth1pl" + pid)),
                    "the veth is left");
            assertEquals("ports: []\n", ports(bridge));
            assertEquals(List.of(), journal(), "the run's journal entry is left");
            assertTrue(!Files.exists(Path.of("/var/run/netns/pipework-" + pid)), "a netns mount is left");
        }
    }

    /** A journal on a full file system: refused before any change, one line, exit 1. */
    @Test
    void journalOnAFullFileSystem() throws Exception {
        Prerequisites.requireRoot();
        journalCannotBeWritten("size=64k", dir -> Sh.run("dd", "if=/dev/zero", "of=" + dir.resolve("fill"), "bs=4k"),
                "No space left on device");
    }

    /** A journal on a read-only file system: the same. */
    @Test
    void journalOnAReadOnlyFileSystem() throws Exception {
        Prerequisites.requireRoot();
        journalCannotBeWritten("size=64k", dir -> Sh.ok("mount", "-o", "remount,ro", dir.toString()),
                "Read-only file system");
    }

    private interface Spoil {
        void of(Path mount) throws Exception;
    }

    private void journalCannotBeWritten(String options, Spoil spoil, String reason) throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("run"));
        Sh.ok("mount", "-t", "tmpfs", "-o", options, "pipework-it", mount.toString());
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            spoil.of(mount);
            String bridge = host.createBridge("pwoj" + HostCleanup.uniqueSuffix());
            String guest = netns.create("oj");
            String before = state(guest) + ports(bridge);
            Sh.Result r = Pipework.run(List.of(bridge, guest, "10.79.6.2/24"), RUN,
                    Map.of(Journal.DIR_VARIABLE, mount.resolve("pipework/journal").toString()));
            assertOneLine(r, "pipework: cannot write the journal of this run in " + mount.resolve("pipework/journal")
                    + " (nothing was changed): ");
            assertTrue(r.err().contains(reason), r.err());
            assertEquals(before, state(guest) + ports(bridge));
        } finally {
            Sh.run("umount", mount.toString());
        }
    }

    /**
     * A run SIGKILLed while it holds the bridge's and the guest's locks (its first change waits): the
     * kernel lets go of its locks with it, so the next run on that bridge takes them at once (not after
     * the 30 s wait for a lock held elsewhere), undoes the killed run's entry and attaches.
     */
    @Test
    void aLockHeldByARunThatWasKilledIsTakenAtOnce() throws Exception {
        Prerequisites.requireRoot();
        Path bin = heldIp("held");
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String bridge = host.createBridge("pwlk" + HostCleanup.uniqueSuffix());
            String guest = netns.create("lk");
            String before = state(guest) + ports(bridge);
            Map<String, String> env = new HashMap<>();
            env.put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
            env.put(Journal.DIR_VARIABLE, tmp.resolve("journal").toString());
            java.util.concurrent.CompletableFuture<Sh.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Pipework.run(List.of(bridge, guest, "10.79.12.2/24"), RUN, env));
            assertTrue(Poll.within(RUN, Poll.TICK, () -> Files.exists(bin.resolve("waiting")) || run.isDone()),
                    "the run made no change");
            assertFalse(run.isDone(), run.getNow(null) == null ? "" : run.getNow(null).describe());
            // The run's JVM: the one process whose command line names this test's bridge.
            String pids = Sh.run(List.of("pgrep", "-f", "java.*" + bridge), RUN).trimmed();
            assertEquals(1, pids.lines().count(), "processes: " + pids);
            Sh.ok("kill", "-KILL", pids);
            // Its waiting ip goes too, as the rest of a killed service's group does.
            Sh.run(List.of("pkill", "-KILL", "-f", bin + "/ip"), RUN);
            run.get(RUN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(1, journal().size(), "the killed run's entry: " + journal());
            Files.createFile(bin.resolve("go"));
            long start = System.nanoTime();
            Sh.Result next = Pipework.run(List.of(bridge, "-i", "eth2", guest, "10.79.13.2/24"), RUN, env);
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertEquals(0, next.code(), next.describe());
            assertTrue(seconds < 20, "the next run waited " + seconds + " s for the locks");
            assertTrue(next.err().contains("undid a run killed midway"), next.err());
            assertEquals(List.of(), journal(), "a journal entry is left");
            assertFalse(state(guest).contains("eth1"), "the killed run's interface is left: " + state(guest));
            assertTrue(state(guest).contains("eth2"), state(guest));
            Sh.Result del = Pipework.run(List.of("del", guest, "-i", "eth2"), RUN, env);
            assertEquals(0, del.code(), del.describe());
            assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> (state(guest) + ports(bridge)).equals(before)),
                    state(guest) + ports(bridge));
        }
    }

    /**
     * A directory with an {@code ip} that holds each change ({@code -batch}, {@code add}, {@code set})
     * until a file {@code go} is there, saying so with a file {@code waiting}; to put first on a run's PATH.
     */
    private Path heldIp(String name) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve(name));
        String real = Sh.ok("sh", "-c", "command -v ip").trimmed();
        Files.writeString(bin.resolve("ip"), String.join("\n",
                "#!/bin/sh",
                "d='" + bin + "'",
                "case \" $* \" in *' -batch '*|*' add '*|*' set '*) if [ ! -e \"$d/go\" ]; then",
                "  : > \"$d/waiting\"; while [ ! -e \"$d/go\" ]; do sleep 0.05; done",
                "fi ;; esac",
                "exec '" + real + "' \"$@\"",
                ""), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(bin.resolve("ip"), PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private static void assertOneLine(Sh.Result r, String start) {
        assertEquals(1, r.code(), r.describe());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith(start), r.err());
    }

    private List<String> journal() throws IOException {
        Path dir = tmp.resolve("journal");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static String ports(String bridge) {
        return "ports: " + Sh.run(List.of("ip", "-o", "link", "show", "master", bridge), RUN).out().lines()
                .map(l -> l.split(":\\s+")[1]).sorted().toList() + "\n";
    }

    /** The guest's links and the host's links whose peer is in the guest. */
    private static String state(String guest) {
        Set<String> peers = new TreeSet<>();
        for (String line : Sh.run(List.of("ip", "-o", "link", "show"), RUN).out().split("\n")) {
            if (line.matches(".*link-netns " + guest + "( .*|\\\\.*|$)")) {
                peers.add(line.split(":\\s+")[1].split("@")[0]);
            }
        }
        Set<String> inside = new TreeSet<>();
        for (String line : Sh.run(List.of("ip", "-n", guest, "-o", "link", "show"), RUN).out().split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1) {
                inside.add(parts[1].split("@")[0]);
            }
        }
        return "guest links: " + inside + "\npeers: " + peers + "\n";
    }
}
