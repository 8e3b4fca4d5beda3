package dev.pipework.driver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriverStateTest {
    @TempDir
    Path dir;

    /** A damaged record is reported and left where it is; the others are read as before. */
    @Test
    void aDamagedRecordIsReportedAndKeptAndTheOthersRead() throws IOException {
        DriverState state = new DriverState(dir);
        List<String> reports = new ArrayList<>();
        state.onDamaged(reports::add);
        state.write(DriverState.Kind.NETWORK, "aaaaaaaaaaaa", Map.of("id", "aaaaaaaaaaaa"));
        state.write(DriverState.Kind.NETWORK, "cccccccccccc", Map.of("id", "cccccccccccc"));
        Path damaged = dir.resolve("networks/bbbbbbbbbbbb.json");
        Files.writeString(damaged, "{\"id\": \"bbbb");
        assertEquals(List.of("aaaaaaaaaaaa", "cccccccccccc"), List.copyOf(state.all(DriverState.Kind.NETWORK).keySet()));
        assertEquals(1, reports.size(), reports.toString());
        assertTrue(reports.get(0).contains(damaged.toString()) && reports.get(0).endsWith("left as it is"), reports.get(0));
        assertTrue(Files.exists(damaged));
    }
}
