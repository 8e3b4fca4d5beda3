package dev.pipework.run;

import dev.pipework.guest.Docker;
import dev.pipework.guest.GuestInspector;
import dev.pipework.host.HostInspector;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.GuestLink;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code route|rule|tc <guest>} goes through the run sequence: the command runs with the guest's
 * namespace locked, through the namespace held open; nothing runs for a guest that changed.
 */
class GuestCommandTest {
    @TempDir
    Path locks;

    final List<List<String>> ran = new ArrayList<>();
    final List<Boolean> lockedWhenRun = new ArrayList<>();
    long inode;

    /** Whether this process holds the lock of that name, as the kernel's table of locks shows it. */
    boolean held(String name) {
        Path file = locks.resolve(name + ".lock");
        try {
            if (!Files.exists(file)) {
                return false;
            }
            long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            String pid = Long.toString(ProcessHandle.current().pid());
            return Files.readAllLines(Path.of("/proc/locks")).stream()
                    .map(line -> line.trim().split("\\s+"))
                    .anyMatch(f -> f.length > 5 && f[4].equals(pid) && f[5].endsWith(":" + ino));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    Services services(boolean changed) throws IOException {
        OneGuest guests = new OneGuest(changed);
        inode = guests.guest.netnsInode();
        GuestInspector inside = new GuestInspector() {
            public Optional<DefaultRoute> defaultRoute(String netnsPath, Family family) {
                return Optional.empty();
            }

            public List<GuestLink> links(String netnsPath, String g) {
                return List.of();
            }
        };
        HostInspector host = new EmptyHost();
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                ran.add(argv);
                lockedWhenRun.add(held("netns-" + inode));
                return new CommandResult(2, "default via 10.0.0.1 dev eth1\n", "a warning\n");
            }

            public CommandResult run(List<String> argv, String stdin) {
                return run(argv);
            }
        };
        return new Services(runner, host, guests, inside, () -> 0, locks, Docker.unavailable());
    }

    @Test
    void theCommandRunsUnderTheNamespacesLockThroughThePin() throws IOException {
        CommandResult result = new GuestCommand(services(false)).run("g1", List.of("ip", "route", "show"));
        assertEquals(2, result.exitStatus());
        assertEquals("default via 10.0.0.1 dev eth1\n", result.stdout());
        assertEquals("a warning\n", result.stderr());
        assertEquals(1, ran.size(), ran.toString());
        assertEquals(List.of(true), lockedWhenRun, "the namespace's lock is held while the command runs");
        List<String> argv = ran.get(0);
        assertTrue(argv.get(1).matches("--net=/proc/" + ProcessHandle.current().pid() + "/fd/[0-9]+"), argv.toString());
        assertEquals(List.of("ip", "route", "show"), argv.subList(argv.size() - 3, argv.size()));
    }

    @Test
    void aGuestThatChangedIsLeftAlone() throws IOException {
        GuestCommand command = new GuestCommand(services(true));
        PipeworkException e = assertThrows(PipeworkException.class, () -> command.run("g1", List.of("tc", "qdisc")));
        assertTrue(e.getMessage().contains("changed"), e.getMessage());
        assertEquals(List.of(), ran);
    }

    @Test
    void aDryRunRunsNothing() throws IOException {
        assertEquals("nsenter --net=/proc/self/ns/net ip rule show",
                new GuestCommand(services(false)).dryRun("g1", List.of("ip", "rule", "show")));
        assertEquals(List.of(), ran);
    }
}
