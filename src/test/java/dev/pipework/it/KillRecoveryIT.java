package dev.pipework.it;

import dev.pipework.exec.Journal;
import dev.pipework.it.support.Cni;
import dev.pipework.it.support.DhcpServer;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.KillAt;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.PrivateOvsdb;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An attach SIGKILLed between any two of its steps (before each change, and after each), then
 * one {@code pipework status}: the host is as it was before the killed run, or as the run completed
 * leaves it. On a Linux bridge and on Open vSwitch with a VLAN; the guest is a named namespace of
 * the test's own.
 */
class KillRecoveryIT {
    private static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void attachOnALinuxBridgeKilledAtEveryStep() throws Exception {
        Prerequisites.requireRoot();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String bridge = host.createBridge("pwkb" + HostCleanup.uniqueSuffix());
            String guest = netns.create("kb");
            int tried = killEverywhere(bridge, guest, List.of(bridge, guest, "10.79.0.2/24"), () -> linuxState(bridge, guest));
            System.out.println("KillRecoveryIT: Linux bridge: " + tried + " kill points");
        }
    }

    @Test
    void attachOnOpenVswitchWithAVlanKilledAtEveryStep() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String bridge = host.createOvsBridge("pwko" + HostCleanup.uniqueSuffix());
            String guest = netns.create("ko");
            int tried = killEverywhere(bridge, guest, List.of(bridge, guest, "10.79.1.2/24", "@101"),
                    () -> ovsState(bridge, guest));
            System.out.println("KillRecoveryIT: Open vSwitch with a VLAN: " + tried + " kill points");
        }
    }

    /**
     * A {@code del} SIGKILLed between any two of its steps (on Open vSwitch with a VLAN: the port's
     * record, then the link), then one {@code del} again: the host as the whole {@code del} leaves it.
     * A {@code del} writes no journal entry (its steps have no undo); the next {@code del} finishes it.
     */
    @Test
    void delOnOpenVswitchKilledAtEveryStep() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String bridge = host.createOvsBridge("pwkd" + HostCleanup.uniqueSuffix());
            String guest = netns.create("kd");
            List<String> attach = List.of(bridge, guest, "10.79.8.2/24", "@102");
            KillAt kill = KillAt.in(tmp.resolve("bin"));
            Map<String, String> journal = Map.of(Journal.DIR_VARIABLE, tmp.resolve("journal").toString());
            String before = ovsState(bridge, guest);
            assertEquals(0, Pipework.run(attach, RUN, journal).code());
            Sh.Result whole = Pipework.run(List.of("del", guest), RUN, KillAt.with(kill.env("", 0), journal));
            assertEquals(0, whole.code(), whole.describe());
            int changes = kill.count();
            assertTrue(changes >= 2, "only " + changes + " changes counted");
            assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> ovsState(bridge, guest).equals(before)));
            int tried = 0;
            // Between two steps; killed after the last, it is a whole del.
            for (int k = 1; k < changes; k++) {
                assertEquals(0, Pipework.run(attach, RUN, journal).code());
                kill.reset();
                Sh.Result killed = Pipework.run(List.of("del", guest), RUN, KillAt.with(kill.env("KILL_AFTER", k), journal));
                assertEquals(137, killed.code(), "KILL_AFTER=" + k + ": " + killed.describe());
                Sh.Result again = Pipework.run(List.of("del", guest), RUN, journal);
                assertEquals(0, again.code(), "KILL_AFTER=" + k + ": " + again.describe());
                assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> ovsState(bridge, guest).equals(before)),
                        "KILL_AFTER=" + k + ": not as before after a second del:\n" + ovsState(bridge, guest)
                                + "\nbefore:\n" + before);
                tried++;
            }
            System.out.println("KillRecoveryIT: del on Open vSwitch with a VLAN: " + tried + " kill points");
        }
    }

    /**
     * The CNI plugin, invoked as a runtime invokes it (static IPAM), SIGKILLed between its changes (a
     * runtime's timeout), then one {@code pipework status}: the host as before the ADD. Two kill
     * points: after the first change and before the last.
     */
    @Test
    void cniAddKilledBetweenItsSteps() throws Exception {
        Prerequisites.requireRoot();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String bridge = host.createBridge("pwkc" + HostCleanup.uniqueSuffix());
            String guest = netns.create("kc");
            String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + bridge + "\",\"type\":\"pipework\",\"bridge\":\""
                    + bridge + "\",\"ipam\":{\"type\":\"static\",\"addresses\":[{\"address\":\"10.79.9.2/24\"}]}}";
            KillAt kill = KillAt.in(tmp.resolve("bin"));
            Map<String, String> journal = Map.of(Journal.DIR_VARIABLE, tmp.resolve("journal").toString());
            Map<String, String> cni = new java.util.HashMap<>(Map.of("CNI_CONTAINERID", "kc" + HostCleanup.uniqueSuffix(),
                    "CNI_NETNS", "/run/netns/" + guest, "CNI_IFNAME", "eth1", "CNI_PATH", Cni.PLUGINS));
            cni.putAll(journal);
            String before = linuxState(bridge, guest);
            cni.put("CNI_COMMAND", "ADD");
            Sh.Result whole = Cni.run(KillAt.with(kill.env("", 0), cni), config);
            assertEquals(0, whole.code(), whole.describe());
            int changes = kill.count();
            assertTrue(changes >= 3, "only " + changes + " changes counted");
            cni.put("CNI_COMMAND", "DEL");
            assertEquals(0, Cni.run(cni, config).code());
            assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> linuxState(bridge, guest).equals(before)));
            for (int k : List.of(1, changes - 1)) {
                kill.reset();
                cni.put("CNI_COMMAND", "ADD");
                Sh.Result killed = Cni.run(KillAt.with(kill.env("KILL_AFTER", k), cni), config);
                assertEquals(137, killed.code(), "KILL_AFTER=" + k + ": " + killed.describe());
                Sh.Result status = Pipework.run(List.of("status"), RUN, journal);
                assertEquals(0, status.code(), status.describe());
                assertTrue(status.err().contains("undid a run killed midway"), status.err());
                assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> linuxState(bridge, guest).equals(before)),
                        "KILL_AFTER=" + k + ": not as before:\n" + linuxState(bridge, guest) + "\nbefore:\n" + before);
            }
            System.out.println("KillRecoveryIT: CNI ADD on a Linux bridge: 2 kill points of " + changes + " changes");
        }
    }

    /**
     * A macvlan on a NIC (a veth end of the test's stands in for one): made on the host, then moved
     * into the guest, so that a recovery after the move (recorded done or only begun) must reach the
     * guest's namespace to delete it there.
     */
    @Test
    void macvlanOnANicKilledAtEveryStep() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLinkType("macvlan", "macvlan");
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String nic = "pwkn" + HostCleanup.uniqueSuffix();
            host.createVeth(nic, nic + "p");
            Sh.ok("ip", "link", "set", nic, "up");
            String guest = netns.create("kn");
            int tried = killEverywhere(nic, guest, List.of(nic, guest, "10.79.3.2/24"), () -> macvlanState(nic, guest));
            System.out.println("KillRecoveryIT: macvlan on a NIC: " + tried + " kill points");
        }
    }

    /** What a DHCP attach runs besides {@code ip}, each counted as a change and a kill point. */
    private static final List<String> DHCP_COMMANDS = List.of("mkdir", "touch", "mount", "umount", "rm", "rmdir", "tee",
            "chmod", "mv", "setsid", "pkill", "kill", "dhclient", "udhcpc");
    private static final Path KEEPER_DIR = Path.of("/var/lib/pipework/dhcp");

    /**
     * Every kill point of both DHCP clients with {@code -Dpipework.it.dhcpKillPoints=all} (49 and
     * 43: before and after each change, while the client asks); in the suite, 6 of dhclient's
     * and 2 of udhcpc's (udhcpc's hook runs a JVM at each of its events: its runs are the slowest).
     */
    private static final boolean ALL_DHCP_POINTS = "all".equals(System.getProperty("pipework.it.dhcpKillPoints"));

    /**
     * A DHCP attach with the lease keeper, {@code dhclient} then {@code udhcpc} (dnsmasq on the
     * bridge, the guest a named namespace), SIGKILLed before each of its changes ({@code ip}, the
     * files and mounts for {@code ip netns exec}, the keeper's files, the client, the keeper), after
     * the last, and while the client asks for its lease (dhclient has not written its pid file yet),
     * then one {@code pipework status}: links, the keeper's files of that guest, the netns mount and
     * {@code /etc/netns} directory, and the clients in the guest's namespace as before the run.
     */
    @Test
    void dhcpAttachKilledAtEveryStep() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("dnsmasq");
        Prerequisites.requireCommand("dhclient");
        Prerequisites.requireCommand("udhcpc");
        try (Rig rig = new Rig(); DhcpServer dhcp = DhcpServer.quick(rig)) {
            String guest = rig.netns().create("kdh");
            long inode = ((Number) Files.getAttribute(Path.of("/run/netns", guest), "unix:ino")).longValue();
            for (String client : List.of("dhclient", "udhcpc")) {
                long start = System.nanoTime();
                int tried = killDhcpEverywhere(dhcp.bridge(), guest, inode, client);
                System.out.println("KillRecoveryIT: DHCP attach with " + client + ": " + tried + " kill points in "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
            }
        }
    }

    private int killDhcpEverywhere(String bridge, String guest, long inode, String client) throws Exception {
        KillAt kill = KillAt.in(tmp.resolve("bin-" + client), DHCP_COMMANDS);
        Map<String, String> journal = Map.of(Journal.DIR_VARIABLE, tmp.resolve("journal").toString());
        List<String> args = List.of(bridge, guest, client);
        Set<String> keys = new TreeSet<>();
        State state = () -> linuxState(bridge, guest) + dhcpState(guest, inode, keys);
        Set<String> filesBefore = keeperFiles();
        String before = state.read();
        Sh.Result whole = Pipework.run(args, RUN, KillAt.with(kill.env("", 0), journal));
        assertEquals(0, whole.code(), whole.describe());
        int changes = kill.count();
        List<String> steps = kill.steps();
        assertEquals(changes, steps.size(), steps.toString());
        int asking = steps.indexOf(client) + 1;
        assertEquals(asking, steps.lastIndexOf(client) + 1, "the client started more than once: " + steps);
        for (String f : keeperFiles()) {
            if (!filesBefore.contains(f) && f.matches("[0-9a-f]{16}-.*-v4\\.record")
                    && Files.readString(KEEPER_DIR.resolve(f)).contains("=" + guest + "\n")) {
                keys.add(f.substring(0, f.length() - ".record".length()));
            }
        }
        assertEquals(1, keys.size(), "the kept client's keys: " + keys);
        String complete = state.read();
        assertTrue(complete.contains("clients: " + client + "\n"), complete);
        undo(guest, before, state);
        if (steps.contains("mv")) {
            // udhcpc's hook was written (it was not yet this jar's): the runs from now on write none.
            kill.reset();
            whole = Pipework.run(args, RUN, KillAt.with(kill.env("", 0), journal));
            assertEquals(0, whole.code(), whole.describe());
            changes = kill.count();
            steps = kill.steps();
            asking = steps.indexOf(client) + 1;
            undo(guest, before, state);
        }
        // In the suite: after the client (running, not yet recorded) and while it asks; for dhclient also
        // before the netns mount and after the last change (all done, the mount gone, the entry still there).
        Set<Integer> at = new TreeSet<>(List.of(asking + 1));
        boolean wide = ALL_DHCP_POINTS || client.equals("dhclient");
        for (String command : wide ? List.of("mount") : List.<String>of()) {
            at.add(steps.indexOf(command) + 1);
        }
        for (int k = 1; ALL_DHCP_POINTS && k <= changes; k++) {
            at.add(k);
        }
        List<String[]> points = new ArrayList<>();
        at.forEach(k -> points.add(new String[] {"KILL_AT", Integer.toString(k)}));
        if (ALL_DHCP_POINTS) {
            for (int k = 1; k <= changes; k++) {
                points.add(new String[] {"KILL_AFTER", Integer.toString(k)});
            }
        } else if (wide) {
            // After the netns name's file and after its mount: a step begun whose undo (rm, umount)
            // runs though the run did not record it done.
            points.add(new String[] {"KILL_AFTER", Integer.toString(steps.indexOf("touch") + 1)});
            points.add(new String[] {"KILL_AFTER", Integer.toString(steps.indexOf("mount") + 1)});
            points.add(new String[] {"KILL_AFTER", Integer.toString(changes)});
        }
        points.add(new String[] {"KILL_WHILE", Integer.toString(asking)});
        for (String[] point : points) {
            kill.reset();
            String where = client + ": " + point[0] + "=" + point[1] + " of " + changes;
            Sh.Result killed = Pipework.run(args, RUN, KillAt.with(kill.env(point[0], Integer.parseInt(point[1])), journal));
            assertEquals(137, killed.code(), where + ": " + killed.describe());
            long pid = kill.killed().orElseThrow(() -> new AssertionError(where + ": nothing was killed"));
            Sh.Result status = Pipework.run(List.of("status"), RUN, journal);
            assertEquals(0, status.code(), where + ": " + status.describe());
            // A client stopped by SIGTERM takes a moment to go (udhcpc sends its DHCPRELEASE first).
            boolean restored = Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> {
                String now = state.read();
                return now.equals(before) || now.equals(complete);
            });
            assertTrue(restored, where + ": the host is neither as before nor as the run completes it\nbefore:\n"
                    + before + "\ncomplete:\n" + complete + "\nafter:\n" + state.read() + "\nstatus said:\n" + status.err());
            assertTrue(KillAt.entriesOf(tmp.resolve("journal"), pid).isEmpty(), where + ": the journal still holds "
                    + KillAt.entriesOf(tmp.resolve("journal"), pid));
            undo(guest, before, state);
        }
        System.out.println("KillRecoveryIT: DHCP attach with " + client + ": " + points.size() + " kill points of "
                + changes + " changes (the client's start is change " + asking + "): " + steps);
        return points.size();
    }

    /**
     * The DHCP side of a guest: the keeper's files of its key, the {@code ip netns exec} name and
     * mount and the {@code /etc/netns} directory of its namespace, and the DHCP clients running in
     * that namespace or naming its key.
     */
    private static String dhcpState(String guest, long inode, Set<String> keys) {
        String name = "pipework-" + inode;
        Set<String> files = new TreeSet<>();
        for (String f : keeperFiles()) {
            if (keys.stream().anyMatch(f::startsWith)) {
                files.add(f);
            }
        }
        String mounts;
        try {
            mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return "keeper files: " + String.join(" ", files) + "\nnetns name: " + Files.exists(Path.of("/run/netns", name))
                + ", mounted: " + mounts.contains("/netns/" + name + " ") + ", /etc/netns: "
                + Files.exists(Path.of("/etc/netns", name)) + "\nclients: " + String.join(" ", clients(inode, keys)) + "\n";
    }

    private static Set<String> keeperFiles() {
        try (Stream<Path> files = Files.list(KEEPER_DIR)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        } catch (java.io.IOException e) {
            return new TreeSet<>();
        }
    }

    /** The names of the live dhclient and udhcpc processes in that namespace, or whose command line names a key. */
    private static List<String> clients(long inode, Set<String> keys) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String comm = Files.readString(p.resolve("comm")).strip();
                    if (!comm.equals("dhclient") && !comm.equals("udhcpc")) {
                        continue;
                    }
                    String stat = Files.readString(p.resolve("stat"));
                    char st = stat.charAt(stat.lastIndexOf(')') + 2);
                    String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    long ns = ((Number) Files.getAttribute(p.resolve("ns/net"), "unix:ino")).longValue();
                    if (st != 'Z' && (ns == inode || keys.stream().anyMatch(cmdline::contains))) {
                        found.add(comm);
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        java.util.Collections.sort(found);
        return found;
    }

    private static String macvlanState(String nic, String guest) {
        Set<String> children = new TreeSet<>();
        for (String line : Sh.run(List.of("ip", "-o", "link", "show"), RUN).out().split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1 && parts[1].endsWith("@" + nic)) {
                children.add(parts[1].split("@")[0]);
            }
        }
        return guestState(guest) + "children of " + nic + ": " + String.join(" ", children) + "\n";
    }

    /** A journal that cannot be written: the run refused before any change, one line, exit 1. */
    @Test
    void noJournalNoChange() throws Exception {
        Prerequisites.requireRoot();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String bridge = host.createBridge("pwkj" + HostCleanup.uniqueSuffix());
            String guest = netns.create("kj");
            String before = linuxState(bridge, guest);
            // /proc takes no new directory, as a read-only or full /run would not.
            Sh.Result r = Pipework.run(List.of(bridge, guest, "10.79.2.2/24"), RUN,
                    java.util.Map.of("PIPEWORK_JOURNAL_DIR", "/proc/pipework-journal"));
            assertEquals(1, r.code(), r.describe());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("pipework: cannot write the journal of this run in /proc/pipework-journal"
                    + " (nothing was changed): "), r.err());
            assertEquals(before, linuxState(bridge, guest));
        }
    }

    /**
     * A run killed while it waits for the switch to take its port, added in a transaction of its own
     * on the database's socket (an {@code ovsdb-server} of the test's own, which no switch serves):
     * the port's record is in the database, the veth on the host and in the guest; the next run
     * undoes them.
     */
    @Test
    void aRunKilledWhileTheSwitchAppliesItsPortIsUndone() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns();
             PrivateOvsdb db = new PrivateOvsdb(tmp.resolve("ovsdb"))) {
            String bridge = "pwks" + HostCleanup.uniqueSuffix();
            host.createVeth(bridge, bridge + "p");
            db.vsctl("add-br", bridge).assertOk("add-br");
            String guest = netns.create("ks");
            Map<String, String> env = db.env(tmp.resolve("journal"));
            ProcessBuilder attach = new ProcessBuilder(Pipework.command(List.of(bridge, "-i", "eth1", guest,
                    "10.79.8.2/24", "@14")));
            attach.environment().putAll(env);
            attach.redirectErrorStream(true).redirectOutput(tmp.resolve("attach.log").toFile());
            Process run = attach.start();
            try {
                // The port is added without waiting; the run then waits for the switch once the guest's
                // interface is up.
                assertTrue(Poll.within(Duration.ofSeconds(30), Poll.TICK,
                        () -> !db.vsctl("list-ports", bridge).trimmed().isEmpty()
                                && Sh.run("ip", "-n", guest, "-4", "addr", "show", "dev", "eth1", "up").out()
                                .contains("10.79.8.2/24")), "no port record, or the guest's eth1 not up");
            } finally {
                run.destroyForcibly(); // SIGKILL
                run.waitFor();
            }
            String port = db.vsctl("list-ports", bridge).trimmed();
            assertTrue(Sh.run("ip", "link", "show", port).code() == 0, "the run's veth " + port);

            Sh.Result next = Pipework.run(List.of("status"), RUN, env);
            assertEquals(0, next.code(), next.describe());
            assertTrue(next.err().contains("undid a run killed midway (PID " + run.pid()), next.err());
            assertEquals("", db.vsctl("list-ports", bridge).trimmed());
            assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> Sh.run("ip", "link", "show", port).code() != 0),
                    port + " left");
            assertEquals(List.of(), KillAt.entries(tmp.resolve("journal")));
        }
    }

    /**
     * A run killed in another network namespace than the host's ({@code ip netns exec}): its undos name
     * links of that namespace, so a recovery in the host's keeps the entry (links of the same names
     * there are others'), and one in that namespace undoes it.
     */
    @Test
    void aRunKilledInAnotherNamespaceIsUndoneThereOnly() throws Exception {
        Prerequisites.requireRoot();
        try (TestNetns netns = new TestNetns()) {
            String outer = netns.create("kh");
            String guest = netns.create("kg");
            String bridge = "pwkh" + HostCleanup.uniqueSuffix();
            Sh.ok("ip", "-n", outer, "link", "add", bridge, "type", "bridge");
            KillAt kill = KillAt.in(tmp.resolve("bin"));
            Map<String, String> journal = Map.of(Journal.DIR_VARIABLE, tmp.resolve("journal").toString());
            List<String> inOuter = List.of("ip", "netns", "exec", outer);
            String before = outerState(outer, guest);
            Sh.Result killed = Sh.run(concat(inOuter, Pipework.command(List.of(bridge, guest, "10.79.7.2/24"))), RUN,
                    null, KillAt.with(kill.env("KILL_AFTER", 1), journal));
            assertEquals(137, killed.code(), killed.describe());
            long pid = kill.killed().orElseThrow();
            String left = outerState(outer, guest);
            assertFalse(left.equals(before), "the killed run changed nothing");

            Sh.Result here = Pipework.run(List.of("status"), RUN, journal);
            assertEquals(0, here.code(), here.describe());
            assertTrue(here.err().contains("its run was in network namespace net:["), here.err());
            assertEquals(left, outerState(outer, guest));
            assertEquals(1, KillAt.entriesOf(tmp.resolve("journal"), pid).size());

            Sh.Result there = Sh.run(concat(inOuter, Pipework.command(List.of("status"))), RUN, null, journal);
            assertEquals(0, there.code(), there.describe());
            assertTrue(there.err().contains("undid a run killed midway (PID " + pid), there.err());
            assertTrue(KillAt.entriesOf(tmp.resolve("journal"), pid).isEmpty());
            assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> outerState(outer, guest).equals(before)),
                    "not undone in " + outer);
        }
    }

    /**
     * A run killed before the machine last booted (its entry's boot rewritten to another's, which is
     * what a reboot makes of it): a recovery removes its Open vSwitch port's record, which a reboot
     * keeps, and leaves the link of its name, which in a later boot is that boot's own.
     */
    @Test
    void aRunKilledBeforeARebootLeavesTheLinksOfItsNames() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String bridge = host.createOvsBridge("pwkr" + HostCleanup.uniqueSuffix());
            String guest = netns.create("kr");
            KillAt kill = KillAt.in(tmp.resolve("bin"));
            Path journalDir = tmp.resolve("journal");
            Map<String, String> journal = Map.of(Journal.DIR_VARIABLE, journalDir.toString());
            List<String> attach = List.of(bridge, guest, "10.79.8.2/24");
            String port = "";
            long pid = 0;
            // The first kill point after which the port is in the database (earlier ones undone here).
            for (int k = 1; k <= 12 && port.isEmpty(); k++) {
                kill.reset();
                Sh.Result killed = Pipework.run(attach, RUN, KillAt.with(kill.env("KILL_AFTER", k), journal));
                assertEquals(137, killed.code(), "KILL_AFTER=" + k + ": " + killed.describe());
                pid = kill.killed().orElseThrow();
                port = Sh.run(List.of("ovs-vsctl", "list-ports", bridge), RUN).out().strip();
                if (port.isEmpty()) {
                    Sh.Result status = Pipework.run(List.of("status"), RUN, journal);
                    assertEquals(0, status.code(), status.describe());
                }
            }
            assertFalse(port.isEmpty() || port.contains("\n"), "ports: " + port);
            List<String> entries = KillAt.entriesOf(journalDir, pid);
            assertEquals(1, entries.size(), entries.toString());
            Path entry = journalDir.resolve(entries.get(0));
            String text = Files.readString(entry);
            String boot = dev.pipework.exec.BootId.current();
            String another = (boot.startsWith("0") ? "1" : "0") + boot.substring(1);
            assertTrue(text.contains("\"boot\":\"" + boot + "\""), text);
            Files.writeString(entry, text.replace(boot, another));

            Sh.Result status = Pipework.run(List.of("status"), RUN, journal);
            assertEquals(0, status.code(), status.describe());
            assertTrue(status.err().contains("undid a run killed midway (PID " + pid) && status.err().contains(
                    "before the machine last booted"), status.err());
            assertEquals("", Sh.run(List.of("ovs-vsctl", "list-ports", bridge), RUN).out().strip(), text + status.err());
            assertTrue(KillAt.entriesOf(journalDir, pid).isEmpty());
            assertEquals(0, Sh.run(List.of("ip", "link", "show", "dev", port), RUN).code(),
                    "the link " + port + " of a run of an earlier boot was deleted");
            Sh.ok("ip", "link", "del", "dev", port);
        }
    }

    private static String outerState(String outer, String guest) {
        return "links there: " + words(Sh.run(List.of("ip", "-n", outer, "-o", "link", "show"), RUN)) + "\n"
                + guestState(guest);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private interface State {
        String read();
    }

    /**
     * Counts the changes of one whole run, undoes it, then for each kill point (before and after each
     * change): run killed, one
     * {@code status}, the state compared; the run's journal entry gone; cleaned for the next.
     */
    private int killEverywhere(String bridge, String guest, List<String> args, State state) throws Exception {
        KillAt kill = KillAt.in(tmp.resolve("bin"));
        // A journal of this test's own: no other run on the machine (a watcher's periodic recovery,
        // another test) undoes a killed run before its state is read.
        Map<String, String> journal = Map.of(Journal.DIR_VARIABLE, tmp.resolve("journal").toString());
        String before = state.read();
        Sh.Result whole = Pipework.run(args, RUN, KillAt.with(kill.env("", 0), journal));
        assertEquals(0, whole.code(), whole.describe());
        int changes = kill.count();
        String complete = state.read();
        assertFalse(before.equals(complete), "the attach changed nothing: " + complete);
        undo(guest, before, state);
        assertTrue(changes >= 3, "only " + changes + " changes counted");
        int tried = 0;
        int halfDone = 0;
        // Before each change, and after each: a kill after a change and before the run records it
        // done leaves a step begun, which the recovery undoes only where that is harmless if it
        // never ran.
        for (int point = 0; point < 2 * changes; point++) {
            kill.reset();
            String variable = point % 2 == 0 ? "KILL_AT" : "KILL_AFTER";
            int at = point / 2 + 1;
            Sh.Result killed = Pipework.run(args, RUN, KillAt.with(kill.env(variable, at), journal));
            String where = variable + "=" + at + " of " + changes;
            assertEquals(137, killed.code(), where + ": " + killed.describe());
            long pid = kill.killed().orElseThrow(() -> new AssertionError(where + ": nothing was killed"));
            String left = state.read();
            if (!left.equals(before) && !left.equals(complete)) {
                halfDone++;
            }
            Sh.Result status = Pipework.run(List.of("status"), RUN, journal);
            assertEquals(0, status.code(), where + ": " + status.describe());
            String after = state.read();
            assertTrue(after.equals(before) || after.equals(complete), where + ": the host is neither as before nor"
                    + " as the run completes it\nbefore:\n" + before + "\ncomplete:\n" + complete + "\nafter:\n" + after
                    + "\nstatus said:\n" + status.err());
            assertTrue(KillAt.entriesOf(tmp.resolve("journal"), pid).isEmpty(), where + ": the journal still holds "
                    + KillAt.entriesOf(tmp.resolve("journal"), pid));
            tried++;
            undo(guest, before, state);
        }
        // The kills fell between steps: some left the host half-plumbed, which only the recovery undid.
        assertTrue(halfDone >= changes - 2, halfDone + " of " + tried + " kill points left the host half-plumbed");
        System.out.println("KillRecoveryIT: " + halfDone + " of " + tried + " kill points left the host half-plumbed"
                + " until status recovered it");
        return tried;
    }

    /** Removes what a completed run left, and waits until the state is as before. */
    private static void undo(String guest, String before, State state) {
        if (!state.read().equals(before)) {
            Sh.Result del = Pipework.run(List.of("del", guest), RUN, Map.of());
            assertEquals(0, del.code(), del.describe());
        }
        assertTrue(Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, () -> state.read().equals(before)),
                "not as before after del:\n" + state.read() + "\nbefore:\n" + before);
    }

    /** The guest's links and addresses, the bridge's ports, and the host's links that are peers of the guest's. */
    private static String linuxState(String bridge, String guest) {
        return guestState(guest) + "ports: " + words(Sh.run(List.of("ip", "-o", "link", "show", "master", bridge), RUN))
                + "\npeers: " + peers(guest) + "\n";
    }

    private static String ovsState(String bridge, String guest) {
        return guestState(guest) + "ports: " + Sh.run(List.of("ovs-vsctl", "list-ports", bridge), RUN).out().strip()
                .replace('\n', ' ') + "\npeers: " + peers(guest) + "\ninterfaces: "
                + Sh.run(List.of("ovs-vsctl", "--bare", "--columns=name,external_ids", "find", "Interface",
                        "external_ids:pipework.bridge=" + bridge), RUN).out().strip().replace('\n', ' ') + "\n";
    }

    private static String guestState(String guest) {
        List<String> lines = new ArrayList<>();
        for (String line : Sh.run(List.of("ip", "-n", guest, "-o", "addr", "show"), RUN).out().split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length > 3) {
                lines.add(w[1] + " " + w[2] + " " + w[3]);
            }
        }
        return "guest links: " + words(Sh.run(List.of("ip", "-n", guest, "-o", "link", "show"), RUN))
                + "\nguest addresses: " + String.join(", ", lines) + "\n";
    }

    /** Host links whose peer lives in the guest's namespace ({@code link-netns <guest>}). */
    private static String peers(String guest) {
        Set<String> names = new TreeSet<>();
        for (String line : Sh.run(List.of("ip", "-o", "link", "show"), RUN).out().split("\n")) {
            if (line.contains("link-netns " + guest + " ") || line.endsWith("link-netns " + guest)
                    || line.contains("link-netns " + guest + "\\")) {
                names.add(line.split(":\\s+")[1].split("@")[0]);
            }
        }
        return String.join(" ", names);
    }

    /** The link names of {@code ip -o link} output, sorted. */
    private static String words(Sh.Result r) {
        Set<String> names = new TreeSet<>();
        for (String line : r.out().split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1) {
                names.add(parts[1].split("@")[0]);
            }
        }
        return String.join(" ", names);
    }
}
