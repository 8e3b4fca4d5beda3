package dev.pipework.host;

import dev.pipework.model.PipeworkException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run locks: a directory of this user's alone, lock files not reached through links, a bounded wait. */
class RunLockTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void directoryAndFilesAreThisUsersAlone() throws Exception {
        Path dir = tmp.resolve("run/lock/pipework");
        try (RunLock lock = new RunLock(dir, Duration.ofSeconds(1)).acquire("link-br1")) {
            assertTrue(lock != null);
            assertEquals("rwx------", mode(dir));
            assertEquals("rw-------", mode(dir.resolve("link-br1.lock")));
        }
    }

    @Test
    void anOpenDirectoryOfThisUserIsClosed() throws Exception {
        Path dir = tmp.resolve("pipework");
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (RunLock lock = new RunLock(dir, Duration.ofSeconds(1)).acquire("link-br1")) {
            assertTrue(lock != null);
            assertEquals("rwx------", mode(dir));
        }
    }

    @Test
    void aDirectoryThatIsALinkIsRefused() throws Exception {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Path dir = Files.createSymbolicLink(tmp.resolve("pipework"), elsewhere);
        PipeworkException e = assertThrows(PipeworkException.class,
                () -> new RunLock(dir, Duration.ofSeconds(1)).acquire("link-br1").close());
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("symbolic link"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(List.of(), Files.list(elsewhere).toList(), "nothing made through the link");
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        Assumptions.assumeTrue(Privileges.effectiveUid() == 0, "changing a directory's owner needs root");
        Path dir = Files.createDirectory(tmp.resolve("pipework"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(dir, "unix:uid", 65534);
        PipeworkException e = assertThrows(PipeworkException.class,
                () -> new RunLock(dir, Duration.ofSeconds(1)).acquire("link-br1").close());
        assertTrue(e.getMessage().contains("belongs to user 65534"), e.getMessage());
        assertEquals(List.of(), Files.list(dir).toList(), "no lock file made in it");
    }

    @Test
    void aLockFileThatIsALinkIsNotFollowed() throws Exception {
        Path dir = tmp.resolve("pipework");
        new RunLock(dir, Duration.ofSeconds(1)).acquire("prepare").close();
        Path target = tmp.resolve("target-of-link");
        Files.createSymbolicLink(dir.resolve("link-br1.lock"), target);
        assertThrows(PipeworkException.class, () -> new RunLock(dir, Duration.ofSeconds(1)).acquire("link-br1").close());
        assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS), "the link's target was not created");
    }

    private static Process holder(Path file, String... more) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), file.toString()));
        argv.addAll(List.of(more));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        BufferedReader said = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("held", said.readLine());
        return p;
    }

    /**
     * Many runs at once on one bridge: the lock passes from one to the next, and a run waits its
     * turn beyond the bound, which is on each holder. Here two processes share it; the first lets
     * go before the bound, the second after it, and before the bound counted from that change.
     */
    @Test
    void aLockThatMovesOnIsWaitedFor() throws Exception {
        Path dir = tmp.resolve("pipework");
        new RunLock(dir, Duration.ofSeconds(1)).acquire("link-br1").close();
        // A run removes its lock file as it ends: the holders here lock the file a run would find.
        Path file = Files.createFile(dir.resolve("link-br1.lock"));
        Process first = holder(file);
        Process second = holder(file);
        try {
            long start = System.nanoTime();
            Thread releases = new Thread(() -> {
                try {
                    Thread.sleep(1000);
                    first.getOutputStream().close();
                    Thread.sleep(1500);
                    second.getOutputStream().close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            releases.start();
            assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> new RunLock(dir, Duration.ofMillis(2000)).acquire("link-br1").close());
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= 2400, "waited " + waited + " ms: the lock was taken while the second held it");
            releases.join();
        } finally {
            first.destroyForcibly();
            second.destroyForcibly();
        }
    }

    /** A lock held by another process (here a shared one, as any reader could take) is given up on, saying by whom. */
    @Test
    void aLockHeldElsewhereIsGivenUpOnAfterTheWait() throws Exception {
        Path dir = tmp.resolve("pipework");
        new RunLock(dir, Duration.ofSeconds(1)).acquire("link-br1").close();
        // A run removes its lock file as it ends: the holders here lock the file a run would find.
        Path file = Files.createFile(dir.resolve("link-br1.lock"));
        Process holder = holder(file);
        try {
            long start = System.nanoTime();
            PipeworkException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                    PipeworkException.class, () -> new RunLock(dir, Duration.ofMillis(600)).acquire("link-br1").close()));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= 500, "waited " + waited + " ms");
            String message = e.getMessage();
            assertFalse(message.contains("\n"), message);
            assertTrue(message.contains(file.toString()), message);
            assertTrue(message.contains("process " + holder.pid()), message);
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(10, TimeUnit.SECONDS);
            holder.destroyForcibly();
        }
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> new RunLock(dir, Duration.ofSeconds(5)).acquire("link-br1").close());
    }
}
