package dev.pipework.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pipework.NetnsOfItsOwn;
import dev.pipework.model.Guest;

/** CNI guests are listed by the short ID an engine shows, and found again by it. */
class CniRuntimeTest {
    @TempDir
    Path tmp;

    @Test
    void listedByTheShortIdAndFoundByIt() throws Exception {
        // A namespace of its own: the host's is never a guest.
        try (NetnsOfItsOwn other = NetnsOfItsOwn.start()) {
            listedByTheShortIdAndFoundByIt(other.path());
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
