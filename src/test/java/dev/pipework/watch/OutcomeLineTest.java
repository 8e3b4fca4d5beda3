package dev.pipework.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** A label goes into the log escaped and cut: it cannot forge a line, nor make one of 300 KB. */
class OutcomeLineTest {
    private static String line(String label) {
        return new Reconciler.Outcome("web", new Declaration("label pipework", label), Optional.empty(),
                Reconciler.Action.INVALID, "bad").line();
    }

    @Test
    void aNewlineInALabelForgesNoLine() {
        String line = line("br1 10.0.0.5/24\npipework: db: eth1 attached");
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains("\\x0a"), line);
    }

    @Test
    void aHugeLabelIsCut() {
        String line = line("x".repeat(100_000));
        assertTrue(line.length() < 400, "a line of " + line.length());
        assertTrue(line.contains("(99800 more)"), line);
    }
}
