package dev.pipework.guest;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's own namespace, and files that are no namespace, are never guests. */
class HostNamespaceTest {
    @TempDir
    Path dir;

    @Test
    void aPidOfAHostProcessIsRefused() {
        RuntimeResolver resolver = new RuntimeResolver(List.of(new ProcessRuntime(Path.of("/proc"))), null, w -> { });
        String self = Long.toString(ProcessHandle.current().pid());
        PipeworkException e = assertThrows(PipeworkException.class, () -> resolver.resolve(self, true));
        assertTrue(e.getMessage().contains("host's own network namespace"), e.getMessage());
    }

    @Test
    void aCniNetnsNamingTheHostsNamespaceIsRefused() {
        PipeworkException e = assertThrows(PipeworkException.class,
                () -> CniRuntime.guest("c1", "/proc/self/ns/net"));
        assertTrue(e.getMessage().contains("host's own network namespace"), e.getMessage());
    }

    @Test
    void aFifoARegularFileADirectoryAndDevNullAreNoNamespace() throws Exception {
        Path fifo = dir.resolve("fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        for (Path p : List.of(fifo, plain, dir, Path.of("/dev/null"))) {
            long start = System.nanoTime();
            PipeworkException e = assertThrows(PipeworkException.class, () -> CniRuntime.guest("c1", p.toString()));
            assertTrue(e.getMessage().contains("is not a network namespace file"), p + ": " + e.getMessage());
            assertTrue(System.nanoTime() - start < 5_000_000_000L, p + " blocked");
        }
    }

    @Test
    void aFifoAsAGuestFileIsRefusedWithoutOpeningIt() throws IOException, InterruptedException {
        Path fifo = dir.resolve("fifo2");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        PipeworkException e = assertThrows(PipeworkException.class,
                () -> new NetnsFileRuntime().find(fifo.toString(), true));
        assertTrue(e.getMessage().contains("is not a network namespace file"), e.getMessage());
    }
}
