package dev.pipework.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lock files go when their run ends, and a run never holds a removed file's lock while another holds the path's. */
class RunLockRemovalTest {
    @TempDir
    Path tmp;

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void lockFilesGoWhenTheRunEnds() throws Exception {
        Path dir = tmp.resolve("pipework");
        try (RunLock lock = new RunLock(dir, Duration.ofSeconds(1))) {
            lock.acquire("link-br1").acquire("netns-4026532001");
            assertEquals(List.of("link-br1.lock", "netns-4026532001.lock"), files(dir));
            // Still held: the files are the locked ones, as /proc/locks shows.
            assertTrue(RunLock.holders(dir.resolve("link-br1.lock")).isEmpty(), "held by this process, no other");
        }
        assertEquals(List.of(), files(dir), "nothing left once the run ended");
        // A refused run (here: the lock held elsewhere is given up on) leaves no file of its own either.
        RunLock first = new RunLock(dir, Duration.ofSeconds(1)).acquire("link-br2");
        try {
            Thread other = new Thread(() -> {
                try {
                    new RunLock(dir, Duration.ofMillis(300)).acquire("link-br2").close();
                } catch (RuntimeException expected) {
                    // given up: the first run holds it
                }
            });
            other.start();
            other.join();
            assertEquals(List.of("link-br2.lock"), files(dir));
        } finally {
            first.close();
        }
        assertEquals(List.of(), files(dir));
    }

    /**
     * Runs in turn on one name, each removing the file as it lets go: a run that waited on a
     * removed file must not count it as held while another holds the path's new file. Never two
     * inside at once; every run gets in; no file left.
     */
    @Test
    void neverTwoHoldersOfOneName() throws Exception {
        Path dir = tmp.resolve("pipework");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger entered = new AtomicInteger();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        int threads = 6;
        int rounds = 25;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread thread = new Thread(() -> {
                    for (int r = 0; r < rounds; r++) {
                        try {
                            RunLock lock = new RunLock(dir, Duration.ofSeconds(30)).acquire("link-br1");
                            if (inside.incrementAndGet() != 1) {
                                wrong.add("two holders at once");
                            }
                            entered.incrementAndGet();
                            Thread.sleep(1);
                            inside.decrementAndGet();
                            lock.close();
                        } catch (Exception e) {
                            wrong.add(e.toString());
                        }
                    }
                });
                all.add(thread);
                thread.start();
            }
            for (Thread thread : all) {
                thread.join();
            }
        });
        assertEquals(List.of(), List.copyOf(wrong));
        assertEquals(threads * rounds, entered.get());
        assertEquals(List.of(), files(dir));
    }
}
