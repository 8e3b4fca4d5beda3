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

    Services services(Journal journal) throws java.io.IOException {
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
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
        String v1 = entry.toJson().replace("\"version\":2", "\"version\":1").replaceFirst(",\"netns\":[0-9]+", "");
        java.nio.file.Files.writeString(file, v1);
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return name;
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
