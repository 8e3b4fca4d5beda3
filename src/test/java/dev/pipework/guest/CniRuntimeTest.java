package dev.pipework.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pipework.model.Guest;

/** CNI guests are listed by the short ID an engine shows, and found again by it. */
class CniRuntimeTest {
    @TempDir
    Path tmp;

    @Test
    void listedByTheShortIdAndFoundByIt() throws Exception {
        // A namespace of its own: the host's is never a guest. A new user and network namespace needs no root.
        Process other = new ProcessBuilder("unshare", "--user", "--map-root-user", "--net", "sleep", "60").start();
        try {
            String netns = "/proc/" + other.pid() + "/ns/net";
            Object self = java.nio.file.Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
            for (int i = 0; i < 200 && java.nio.file.Files.getAttribute(Path.of(netns), "unix:ino").equals(self); i++) {
                Thread.sleep(10); // until unshare has made the namespace
            }
            listedByTheShortIdAndFoundByIt(netns);
        } finally {
            other.destroyForcibly().waitFor();
        }
    }

    private void listedByTheShortIdAndFoundByIt(String netns) throws Exception {
        String id = "0123456789ab".repeat(5) + "cdef";
        CniRecords records = new CniRecords(tmp);
        records.write(new CniRecords.Record(id, "eth0", netns, "net1", "veth0", Map.of(), Map.of()));
        CniRuntime runtime = new CniRuntime(records);
        List<Guest> all = runtime.all();
        assertEquals(1, all.size());
        assertEquals("0123456789ab", all.get(0).token());
        assertEquals("0123456789ab", all.get(0).displayName());
        assertEquals(id, all.get(0).id().orElseThrow());
        assertTrue(runtime.find(all.get(0).token(), true).isPresent());
    }
}
