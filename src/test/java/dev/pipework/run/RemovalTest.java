package dev.pipework.run;

import dev.pipework.exec.Journal;
import dev.pipework.exec.JournalEntry;
import dev.pipework.guest.Docker;
import dev.pipework.guest.GuestInspector;
import dev.pipework.host.HostInspector;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.GuestLink;
import dev.pipework.render.Renderer;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code del} holds the guest's namespace and checks the guest is unchanged before it acts, as an attach does. */
class RemovalTest {
    @TempDir
    Path locks;

    final List<List<String>> ran = new ArrayList<>();

    Services services(boolean changed) throws IOException {
        return services(changed, () -> { }, Optional.empty(), line -> { });
    }

    Services services(boolean changed, Runnable reading, Optional<Journal> journal,
                      java.util.function.Consumer<String> warn) throws IOException {
        OneGuest guests = new OneGuest(changed);
        GuestInspector inside = new GuestInspector() {
            public Optional<DefaultRoute> defaultRoute(String netnsPath, Family family) {
                return Optional.empty();
            }

            public List<GuestLink> links(String netnsPath, String g) {
                reading.run();
                return List.of(new GuestLink("eth1", 5, "macvlan", "pipework macvlan eth0", Optional.of(2),
                        false, "02:00:00:00:00:01", 1500, "UP", List.of()));
            }
        };
        HostInspector host = new EmptyHost();
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                ran.add(argv);
                return new CommandResult(0, "", "");
            }

            public CommandResult run(List<String> argv, String stdin) {
                return run(argv);
            }
        };
        return new Services(runner, host, guests, inside, () -> 0, locks, Docker.unavailable(), warn, journal);
    }

    @Test
    void aGuestThatChangedWhileWaitingIsLeftAlone() throws IOException {
        Removal removal = new Removal(services(true), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
        PipeworkException e = assertThrows(PipeworkException.class,
                () -> removal.run("g1", Optional.empty(), false, Renderer.of(Renderer.Format.TEXT)));
        assertTrue(e.getMessage().contains("changed"), e.getMessage());
        assertEquals(List.of(), ran);
    }

    @Test
    void theRemovalReachesTheNamespaceThroughThePin() throws IOException {
        new Removal(services(false), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream())).run("g1", Optional.empty(), false, Renderer.of(Renderer.Format.TEXT));
        assertEquals(1, ran.size(), ran.toString());
        String enter = ran.get(0).get(1);
        assertTrue(enter.matches("--net=/proc/" + ProcessHandle.current().pid() + "/fd/[0-9]+"), ran.toString());
    }

    @Test
    void killedRunsAreLookedForOnceBeforeTheFirstReading() throws IOException {
        Journal journal = new Journal(locks.resolve("journal"));
        JournalEntry.Owner self = Journal.self();
        JournalEntry dead = new JournalEntry(new JournalEntry.Owner(self.pid(), self.startTime() + 1, self.netns()), List.of(),
                Optional.empty(), List.of(), 0, 0);
        // A run killed after the del looked at the journal, while it reads the machine: left to the next run.
        boolean[] written = {false};
        Runnable reading = () -> {
            if (!written[0]) {
                written[0] = true;
                journal.begin(dead);
            }
        };
        List<String> warned = new ArrayList<>();
        new Removal(services(false, reading, Optional.of(journal), warned::add), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream())).run("g1", Optional.empty(), false, Renderer.of(Renderer.Format.TEXT));
        assertEquals(List.of(), warned);
        assertEquals(1, ran.size(), ran.toString());
        assertEquals(List.of(dead), journal.list().stream().map(f -> f.entry().orElseThrow()).toList());
    }
}
