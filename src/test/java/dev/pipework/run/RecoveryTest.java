package dev.pipework.run;

import dev.pipework.exec.Journal;
import dev.pipework.exec.JournalEntry;
import dev.pipework.guest.Docker;
import dev.pipework.guest.GuestInspector;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.plan.GuestLink;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A killed run is undone from the network namespace it ran in, never from another. */
class RecoveryTest {
    @TempDir
    Path dir;

    final List<List<String>> ran = new java.util.concurrent.CopyOnWriteArrayList<>();

    Services services(Journal journal) throws java.io.IOException {
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                ran.add(argv);
                return new CommandResult(0, "", "");
            }

            public CommandResult run(List<String> argv, String stdin) {
                return run(argv);
            }
        };
        GuestInspector inside = new GuestInspector() {
            public Optional<DefaultRoute> defaultRoute(String netnsPath, Family family) {
                return Optional.empty();
            }

            public List<GuestLink> links(String netnsPath, String g) {
                return List.of();
            }
        };
        return new Services(runner, new EmptyHost(), new OneGuest(false), inside, () -> 0, dir.resolve("locks"),
                Docker.unavailable(), line -> { }, Optional.of(journal));
    }

    static JournalEntry killedIn(long netns) {
        JournalEntry.Owner self = Journal.self();
        return new JournalEntry(new JournalEntry.Owner(self.pid(), self.startTime() + 1, netns), List.of(),
                Optional.empty(), List.of(), 0, 0);
    }

    @Test
    void aRunKilledInAnotherNamespaceIsKept() throws java.io.IOException {
        Journal journal = new Journal(dir.resolve("journal"));
        JournalEntry elsewhere = killedIn(Journal.netns() + 1);
        journal.begin(elsewhere);
        Recovery.Report report = Recovery.recover(services(journal));
        assertEquals(List.of(), report.recovered());
        assertEquals(1, report.kept().size(), report.kept().toString());
        assertTrue(report.kept().get(0).contains("its run was in network namespace net:[" + (Journal.netns() + 1)
                + "], this one is in net:[" + Journal.netns() + "]"), report.kept().get(0));
        assertEquals(List.of(elsewhere), journal.list().stream().map(f -> f.entry().orElseThrow()).toList());
    }

    /**
     * An entry of version 1 names no namespace: it is taken to be of the host's (PID 1's), undone by a
     * recovery there and kept by one elsewhere.
     */
    @Test
    void aVersion1EntryIsUndoneInTheHostsNamespaceOnly() throws java.io.IOException {
        Path here = Path.of("/proc/self/ns/net");
        Path elsewhere = java.nio.file.Files.createFile(dir.resolve("another-namespace"));
        long other = ((Number) java.nio.file.Files.getAttribute(elsewhere, "unix:ino")).longValue();
        JournalEntry killed = killedIn(Journal.netns());
        String name = version1(killed, dir.resolve("journal"));

        Journal seenElsewhere = new Journal(dir.resolve("journal"), elsewhere);
        Recovery.Report kept = Recovery.recover(services(seenElsewhere));
        assertEquals(List.of(), kept.recovered());
        assertEquals(1, kept.kept().size(), kept.toString());
        assertTrue(kept.kept().get(0).startsWith("journal entry " + name + " kept, not run: its run was in network"
                + " namespace net:[" + other + "]"), kept.kept().get(0));

        Journal seenHere = new Journal(dir.resolve("journal"), here);
        Recovery.Report report = Recovery.recover(services(seenHere));
        assertEquals(1, report.recovered().size(), report.toString());
        assertEquals(List.of(), seenHere.list());
    }

    /** Writes {@code entry} as version 1 wrote it; its file's name. */
    static String version1(JournalEntry entry, Path journalDir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(journalDir);
        java.nio.file.Files.setPosixFilePermissions(journalDir,
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        String name = entry.owner().pid() + "-" + entry.owner().startTime() + "-1.json";
        Path file = journalDir.resolve(name);
        // As this version's, without the namespace (JournalTest checks the text).
        String v1 = entry.toJson().replace("\"version\":2", "\"version\":1").replaceFirst(",\"netns\":[0-9]+", "")
                .replaceFirst(",\"boot\":\"[0-9a-f-]+\"", "");
        java.nio.file.Files.writeString(file, v1);
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return name;
    }

    /**
     * A run killed before the machine last booted: its Open vSwitch port's record and its file are
     * undone, not its links nor its DHCP client (those names may be this boot's now), whatever the
     * namespace it ran in (gone with its boot, its number perhaps another's now).
     */
    @Test
    void aRunOfAnEarlierBootIsUndoneWhereItOutlivesTheReboot() throws java.io.IOException {
        JournalEntry.Owner self = Journal.self();
        org.junit.jupiter.api.Assumptions.assumeFalse(self.boot().isEmpty(), "no boot id in " + dev.pipework.exec.BootId.FILE);
        String another = self.boot().startsWith("0") ? "1" + self.boot().substring(1) : "0" + self.boot().substring(1);
        dev.pipework.plan.DhcpKeeping.Kept kept = new dev.pipework.plan.DhcpKeeping.Kept("0123456789abcdef-eth1-v4",
                "dhclient", 4, "eth1", "web", List.of(), "/proc/4242/ns/net", 4026532999L, 60);
        List<dev.pipework.plan.Step> steps = List.of(
                new dev.pipework.plan.LinkSteps.AddLinuxBridge("br0"),
                new dev.pipework.plan.LinkSteps.AddVethPair("veth1pl42", "veth1pg42", 1500),
                new dev.pipework.plan.OvsSteps.AddOvsPort("ovs0", "veth1pl42", Optional.empty(), java.util.Map.of()),
                new dev.pipework.plan.LinkSteps.RecordDirect("/run/pipework/direct/4026532999-eth2", "x", "eth2"),
                new dev.pipework.plan.DhcpSteps.KeptDhcpClient("pipework-4242", kept, false));
        JournalEntry killed = new JournalEntry(new JournalEntry.Owner(self.pid(), self.startTime(), self.netns() + 1,
                another), List.of("link-br0"), Optional.empty(), steps.stream().map(s -> new JournalEntry.Undo(s.action(), s.undo(), true)).toList(), 5, 5);
        new Journal(dir.resolve("journal")).begin(killed);
        Recovery.Report report = Recovery.recover(services(new Journal(dir.resolve("journal"))));
        assertEquals(1, report.recovered().size(), report.toString());
        assertTrue(report.recovered().get(0).contains("before the machine last booted"), report.recovered().get(0));
        assertEquals(List.of(List.of("rm", "-f", "/run/pipework/direct/4026532999-eth2"),
                List.of("ovs-vsctl", dev.pipework.plan.OvsSteps.OVS_TIMEOUT, "--if-exists", "del-port", "ovs0", "veth1pl42")),
                ran);
        assertEquals(List.of(), new Journal(dir.resolve("journal")).list());
    }

    @Test
    void aRunKilledHereIsUndone() throws java.io.IOException {
        Journal journal = new Journal(dir.resolve("journal"));
        journal.begin(killedIn(Journal.netns()));
        Recovery.Report report = Recovery.recover(services(journal));
        assertEquals(1, report.recovered().size(), report.toString());
        assertEquals(List.of(), journal.list());
    }
}
