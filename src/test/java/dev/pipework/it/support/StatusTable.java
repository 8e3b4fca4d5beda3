package dev.pipework.it.support;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Reads the text table of {@code pipework status}: its header checked, each row split into its
 * columns (0 guest, 3 interface, 4 addresses, 7 host interface, 8 bridge, 9 kind, 10 VLAN, 11 the guest's runtime).
 */
public final class StatusTable {
    public static final List<String> HEADER = List.of("GUEST", "ID", "PID", "INTERFACE", "ADDRESSES", "MAC", "MTU",
            "HOST-INTERFACE", "BRIDGE", "KIND", "VLAN", "RUNTIME");

    private StatusTable() {
    }

    /** Runs {@code pipework ARGS} (a status command), which must succeed; returns the rows of its table. */
    public static List<List<String>> of(String... args) {
        return rows(Pipework.ok(args));
    }

    /** The rows of {@code guest}. */
    public static List<List<String>> rowsOf(List<List<String>> rows, String guest) {
        return rows.stream().filter(r -> r.get(0).equals(guest)).toList();
    }

    /** The one row of interface {@code iface} (the first, should there be more); fails when there is none. */
    public static List<String> row(List<List<String>> rows, String iface) {
        return rows.stream().filter(r -> r.get(3).equals(iface)).findFirst()
                .orElseThrow(() -> new AssertionError("no status row for " + iface + ": " + rows));
    }

    /**
     * The rows of the attachments' table printed in {@code r}'s stdout, without the header: up to
     * the blank line after which {@code status} lists the host's overlays, if it has any.
     */
    public static List<List<String>> rows(Sh.Result r) {
        List<String> out = r.out().lines().takeWhile(l -> !l.isBlank()).toList();
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
