package dev.pipework;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM settings the launcher (scripts/pipework) gives each command line: the interpreter alone for
 * the short runs (the plain attach form, with {@code -i} and {@code -l} or without, {@code status <guest>},
 * {@code del <guest>}, the CNI plugin),
 * the compiler for the rest; the jar named by {@code -cp} only where its manifest is not needed.
 */
class LauncherOptionsTest {
    @TempDir
    Path dir;

    /** The arguments the launcher gives the JVM for this command line, one a line (a JVM that prints them). */
    private List<String> jvmArguments(String cniCommand, String... args) throws Exception {
        Path java = printingJvm(dir.resolve("java"));
        Path jar = dir.resolve("pipework.jar");
        if (!Files.exists(jar)) {
            Files.createFile(jar);
        }
        return launch(Map.of("PIPEWORK_JAVA", java.toString(), "PIPEWORK_JAR", jar.toString(),
                "PIPEWORK_CDS", "off"), cniCommand, args);
    }

    /** A JVM in name that prints its arguments, one a line. */
    private static Path printingJvm(Path at) throws Exception {
        Files.writeString(at, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(at, PosixFilePermissions.fromString("rwx------"));
        return at;
    }

    private List<String> launch(Map<String, String> env, String cniCommand, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("scripts/pipework"));
        argv.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile());
        pb.environment().remove("PIPEWORK_CDS");
        pb.environment().remove("PIPEWORK_RUNTIME");
        pb.environment().putAll(env);
        pb.environment().remove("CNI_COMMAND");
        if (!cniCommand.isEmpty()) {
            pb.environment().put("CNI_COMMAND", cniCommand);
        }
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher still runs after 30 s");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
        return Files.readAllLines(dir.resolve("out"), StandardCharsets.UTF_8);
    }

    /**
     * The start-up cache the launcher gives the JVM for this command line, on a JDK of 25 (a release
     * file beside a JVM that prints its arguments) with every cache in place beside the jar.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''    | br0 c1 10.0.0.2/24           | pipework.aot
            ''    | br0 -i eth2 c1 10.0.0.2/24   | pipework.aot
            ''    | -l veth9 br0 -i eth2 c1 dhcp @7 | pipework.aot
            ''    | br0 c1 dhcp -i eth2          | pipework.aot
            ''    | -i eth2 -i eth3 br0 c1 dhcp  | pipework-commands.aot
            ''    | br0 -i -l c1 dhcp            | pipework-commands.aot
            ''    | br0 c1 dhcp -i               | pipework-commands.aot
            ''    | -i eth2 br0 c1               | pipework-commands.aot
            ''    | br0 -a 4 c1 dhcp             | pipework-commands.aot
            ''    | overlay add ov1 vx1          | pipework-commands.aot
            ''    | pool add p1 10.0.0.0/24      | pipework-commands.aot
            ''    | status c1                    | pipework-guest.aot
            ''    | del c1                       | pipework-guest.aot
            ''    | status                       | pipework-commands.aot
            ''    | status c1 --json             | pipework-commands.aot
            ''    | del -i eth2 c1               | pipework-guest.aot
            ''    | del c1 --all                 | pipework-guest.aot
            ''    | del --all -i eth2 c1         | pipework-guest.aot
            ''    | del -i eth2 -i eth3 c1       | pipework-commands.aot
            ''    | del -i eth2                  | pipework-commands.aot
            ''    | del -i -v c1                 | pipework-commands.aot
            ''    | del c1 -v                    | pipework-commands.aot
            ''    | del shim eth0                | pipework-commands.aot
            ''    | status -i eth2 c1            | pipework-commands.aot
            ''    | --version                    | pipework-commands.aot
            ADD   | ''                           | pipework-cni.aot
            """)
    void eachCommandLineItsCache(String cni, String line, String cache) throws Exception {
        Path home = Files.createDirectories(dir.resolve("jdk-25/bin"));
        Path java = printingJvm(home.resolve("java"));
        Files.writeString(dir.resolve("jdk-25/release"), "JAVA_VERSION=\"25\"\nJAVA_RUNTIME_VERSION=\"25+36\"\n");
        Path jar = Files.createFile(dir.resolve("pipework.jar"));
        for (String name : List.of("pipework.aot", "pipework-commands.aot", "pipework-cni.aot", "pipework-guest.aot")) {
            Files.createFile(dir.resolve(name)).toFile().setLastModified(jar.toFile().lastModified() + 1000);
        }
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        List<String> jvm = launch(Map.of("PIPEWORK_JAVA", java.toString(), "PIPEWORK_JAR", jar.toString()), cni, args);
        assertTrue(jvm.contains("-XX:AOTCache=" + dir.resolve(cache)), jvm.toString());
        assertEquals(1, jvm.stream().filter(a -> a.startsWith("-XX:AOTCache=")).count(), jvm.toString());
        // The fronts that run in the interpreter alone do not replay the cache's profiles for a compiler.
        boolean interpreted = !cache.equals("pipework-commands.aot");
        assertEquals(interpreted, jvm.contains("-XX:-AOTReplayTraining"), jvm.toString());
        int replay = jvm.indexOf("-XX:-AOTReplayTraining");
        int unlock = jvm.indexOf("-XX:+UnlockDiagnosticVMOptions");
        int ignore = jvm.indexOf("-XX:+IgnoreUnrecognizedVMOptions");
        assertEquals(interpreted, unlock >= 0 && unlock < replay && ignore >= 0 && ignore < replay, jvm.toString());
        // JVM options, before the jar is named.
        int jarBy = Math.max(jvm.indexOf("-cp"), jvm.indexOf("-jar"));
        assertTrue(jarBy > 0 && replay < jarBy, jvm.toString());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''    | br0 c1 10.0.0.2/24           | interpreted | -cp
            ''    | br0 c1 10.0.0.2/24 02:00:00:00:00:01 | interpreted | -cp
            ''    | status c1                    | interpreted | -jar
            ''    | del c1                       | interpreted | -jar
            ''    | del -i eth2 c1               | interpreted | -jar
            ''    | status                       | compiled    | -jar
            ''    | status --json                | compiled    | -jar
            ''    | del --all                    | compiled    | -jar
            ''    | status c1 --json             | compiled    | -jar
            ''    | -v status c1                 | compiled    | -jar
            ''    | del shim eth0                | compiled    | -jar
            ''    | -i eth2 br0 c1 10.0.0.2/24   | interpreted | -cp
            ''    | -i eth2 -a 4 br0 c1 10.0.0.2/24 | compiled | -jar
            ''    | watch                        | compiled    | -jar
            ADD   | ''                           | interpreted | -cp
            """)
    void eachCommandLineItsSettings(String cni, String line, String mode, String jarBy) throws Exception {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        List<String> jvm = jvmArguments(cni, args);
        int first = jvm.indexOf(jarBy);
        assertTrue(first >= 0, jvm.toString());
        List<String> options = jvm.subList(0, first);
        assertEquals(mode.equals("interpreted"), options.contains("-Xint"), jvm.toString());
        assertEquals(mode.equals("interpreted"), options.contains("-Xms16m"), jvm.toString());
        // Then the jar, the main class where -cp names it, and the command line as given.
        int rest = first + 2 + (jarBy.equals("-cp") ? 1 : 0);
        assertEquals(Arrays.asList(args), jvm.subList(rest, jvm.size()), jvm.toString());
    }
}
