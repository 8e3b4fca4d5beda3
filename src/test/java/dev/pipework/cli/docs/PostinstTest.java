package dev.pipework.cli.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The package's postinst says what it does while it links the runtime and makes the caches, and how it ended. */
class PostinstTest {
    private static String run(String pipework) throws Exception {
        String script = DebianPackage.POSTINST.replace("/usr/bin/pipework", pipework);
        Process p = new ProcessBuilder(List.of("sh", "-c", script, "postinst", "configure"))
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), said);
        return said;
    }

    @Test
    void saysWhatItDoesAndThatItIsDone() throws Exception {
        String said = run("true");
        assertTrue(said.contains("linking a Java runtime") && said.contains("start-up caches"), said);
        assertTrue(said.contains("ready"), said);
    }

    @Test
    void aFailureIsSaidAndDoesNotFailTheInstall() throws Exception {
        String said = run("false");
        assertTrue(said.contains("could not be made") && said.contains("PIPEWORK_CDS=create"), said);
    }
}
