package dev.pipework.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipework.exec.RecordingRunner;
import dev.pipework.plan.DhcpKeeping;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** udhcpc's hook: the lease recorded under the key udhcpc was given, then udhcpc's own script run. */
class UdhcpcEventTest {
    private static final String KEY = "0123456789abcdef-eth1-v4";

    private static String script(Path dir) throws IOException {
        Path s = Files.writeString(dir.resolve("default.script"), "");
        assertTrue(s.toFile().setExecutable(true));
        return s.toString();
    }

    @Test
    void boundRecordsTheLeaseThenRunsTheScript(@TempDir Path dir) throws IOException {
        RecordingRunner runner = new RecordingRunner();
        String script = script(dir);
        String[] args = {DhcpKeeping.HOOK_WORD, DhcpKeeping.HOOK, "bound"};
        int status = UdhcpcEvent.run(args, Map.of(DhcpKeeping.KEY_VARIABLE, KEY, "ip", "10.161.0.120",
                "serverid", "10.161.0.1", "lease", "120"), runner, new PrintStream(new ByteArrayOutputStream()),
                List.of("/nonexistent/default.script", script));
        String file = DhcpKeeping.DIR + "/" + KEY + ".leases";
        assertEquals(0, status);
        assertEquals(List.of(List.of("tee", file + ".new"), List.of("mv", "-f", file + ".new", file), List.of(script, "bound")),
                runner.ran);
    }

    @Test
    void deconfigRemovesTheRecordedLease(@TempDir Path dir) throws IOException {
        RecordingRunner runner = new RecordingRunner();
        String script = script(dir);
        UdhcpcEvent.run(new String[] {DhcpKeeping.HOOK_WORD, DhcpKeeping.HOOK, "deconfig"},
                Map.of(DhcpKeeping.KEY_VARIABLE, KEY), runner, new PrintStream(new ByteArrayOutputStream()), List.of(script));
        String file = DhcpKeeping.DIR + "/" + KEY + ".leases";
        assertEquals(List.of(List.of("rm", "-f", file, file + ".new"), List.of(script, "deconfig")), runner.ran);
    }

    @Test
    void aKeyThatIsNoKeyWritesNothingAndTheScriptStillRuns(@TempDir Path dir) throws IOException {
        RecordingRunner runner = new RecordingRunner();
        String script = script(dir);
        UdhcpcEvent.run(new String[] {DhcpKeeping.HOOK_WORD, DhcpKeeping.HOOK, "bound"},
                Map.of(DhcpKeeping.KEY_VARIABLE, "../../etc/passwd", "ip", "10.161.0.120"), runner,
                new PrintStream(new ByteArrayOutputStream()), List.of(script));
        assertEquals(List.of(List.of(script, "bound")), runner.ran);
    }
}
