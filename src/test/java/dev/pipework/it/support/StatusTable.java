package dev.pipework.it.support;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Reads the text table of {@code pipework status}: its header checked, each row split into its columns. */
public final class StatusTable {
    public static final List<String> HEADER = List.of("GUEST", "ID", "PID", "INTERFACE", "ADDRESSES", "MAC", "MTU",
            "HOST-INTERFACE", "BRIDGE", "KIND", "VLAN");

    private StatusTable() {
    }

    /** The rows of the table printed in {@code r}'s stdout, without the header. */
    public static List<List<String>> rows(Sh.Result r) {
        List<String> out = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertFalse(out.isEmpty(), r.describe());
        List<List<String>> rows = new ArrayList<>();
        for (String line : out) {
            List<String> cols = List.of(line.trim().split("\\s+"));
            assertEquals(HEADER.size(), cols.size(), "columns of: " + line);
            rows.add(cols);
        }
        assertEquals(HEADER, rows.get(0));
        return rows.subList(1, rows.size());
    }
}
