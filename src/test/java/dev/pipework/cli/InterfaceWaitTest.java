package dev.pipework.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** {@code --wait}: a timeout too large for a deadline in nanoseconds is no timeout, not an instant one. */
class InterfaceWaitTest {
    @TempDir
    Path sys;

    /** The interface shows up, with carrier and up, a little later. */
    private void appearsSoon(String name) {
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(400);
                Path dir = Files.createDirectories(sys.resolve(name));
                Files.writeString(dir.resolve("flags"), "0x1003\n");
                Files.writeString(dir.resolve("carrier"), "1\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        later.setDaemon(true);
        later.start();
    }

    @ParameterizedTest(name = "--timeout {0}")
    @ValueSource(strings = {"1e10", "9.3e9", "inf", "Infinity", "1e400"})
    void aHugeTimeoutWaits(String timeout) {
        appearsSoon("eth1");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        double seconds = new PipeworkCommand.Seconds().convert(timeout);
        int status = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> new InterfaceWait(sys,
                new PrintStream(err, true, StandardCharsets.UTF_8)).await("eth1", seconds));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aShortTimeoutStillGivesUp() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> new InterfaceWait(sys,
                new PrintStream(err, true, StandardCharsets.UTF_8)).await("eth9", 0.2));
        assertEquals(1, status);
        assertEquals("pipework: interface \"eth9\" is not up after 0.2 s\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void nanosSaturate() {
        assertEquals(Long.MAX_VALUE, InterfaceWait.nanos(1e10));
        assertEquals(Long.MAX_VALUE, InterfaceWait.nanos(Double.POSITIVE_INFINITY));
        assertEquals(1_500_000_000L, InterfaceWait.nanos(1.5));
        assertEquals(0, InterfaceWait.nanos(0));
    }
}
