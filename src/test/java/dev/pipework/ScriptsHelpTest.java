package dev.pipework;

import dev.pipework.cli.Help;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every script under {@code scripts/} answers {@code --help} with its own usage on stdout, exit 0,
 * and does nothing else: the lines it prints are its own header's (no other program's help, no
 * build, no test run). The launcher's usage is pipework's own {@code --help}, which it hands on.
 */
class ScriptsHelpTest {
    private static final Path SCRIPTS = Path.of("scripts");

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    private Run run(Map<String, String> env, String... argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + ": still running after 60 s");
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    }

    private static List<Path> scripts() throws IOException {
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void everyScriptPrintsItsOwnUsage() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Path script : scripts()) {
            if (script.getFileName().toString().equals("pipework")) {
                continue;
            }
            String source = Files.readString(script, StandardCharsets.UTF_8);
            for (String flag : List.of("--help", "-h")) {
                Run r = run(Map.of(), script.toString(), flag);
                String what = script + " " + flag;
                assertEquals(0, r.status(), what + ": " + r.err());
                assertEquals("", r.err(), what);
                assertFalse(r.out().isBlank(), what + " printed nothing");
                for (String line : r.out().split("\n")) {
                    assertTrue(line.isEmpty() ? source.contains("\n#\n") : source.contains("# " + line),
                            what + " printed a line not in its own header: " + line);
                }
            }
            checked.add(script.getFileName().toString());
        }
        assertTrue(checked.containsAll(List.of("bench", "bench-restart", "demo", "install", "test", "test-env",
                "uninstall")), checked.toString());
    }

    @Test
    void benchsFormsEachAnswerHelp() throws Exception {
        for (String form : List.of("--cni", "--restart", "--driver")) {
            Run r = run(Map.of(), "scripts/bench", form, "--help");
            assertEquals(0, r.status(), form + ": " + r.err());
            assertTrue(r.out().contains("scripts/bench " + form), form + ": " + r.out());
        }
        Run wrong = run(Map.of(), "scripts/bench", "--no-such-option");
        assertEquals(2, wrong.status());
        assertEquals("", wrong.out());
        assertTrue(wrong.err().contains("scripts/bench <reference-pipework>"), wrong.err());
    }

    /** The launcher hands {@code --help} to the program, whose help is the command line's. */
    @Test
    void theLauncherHandsHelpToTheProgram() throws Exception {
        Path java = dir.resolve("java");
        // A JVM in place of the jar's: the same program, from the classes under test.
        Files.writeString(java, "#!/bin/sh\n"
                + "while [ $# -gt 0 ] && [ \"$1\" != -jar ]; do shift; done\nshift 2\n"
                + "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
                + System.getProperty("java.class.path") + "' dev.pipework.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        Path jar = Files.createFile(dir.resolve("pipework.jar"));
        Run r = run(Map.of("PIPEWORK_JAVA", java.toString(), "PIPEWORK_JAR", jar.toString(), "PIPEWORK_CDS", "off"),
                "scripts/pipework", "--help");
        assertEquals(0, r.status(), r.err());
        assertEquals(Help.text(), r.out());
    }
}
