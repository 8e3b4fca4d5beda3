package dev.pipework.cli;

import dev.pipework.it.support.Tries;
import dev.pipework.render.Renderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attach form in the original's words, read without picocli, is what picocli reads from it; the
 * launcher gives it the plain form's settings.
 */
@ExtendWith(Tries.class)
class PlainAttachTest {

    private static final String[] PLAIN = {"br0 c1 10.0.0.2/24", "br0 c1 10.0.0.2/24@10.0.0.1 02:00:00:00:00:01@7",
            "br0 -i eth2 c1 10.0.0.2/24", "-i eth2 br0 c1 dhcp", "br0 c1 10.0.0.2/24 -i eth2",
            "br0 -i eth2 -l veth9 c1 dhcp", "-l veth9 br0 c1 10.0.0.2/24 @100", "br0 c1 -l veth9 -i eth2 dhcp:-f",
            "ovsbr0 -i eth1 /proc/42/ns/net 10.0.0.2/24 @7", "br0 -i status c1 dhcp", "-i eth2 del c1 dhcp",
            "br0 a=b c1 dhcp"};

    private static final String[] NOT_PLAIN = {"br0 c1", "br0 c1 10.0.0.2/24 02:00:00:00:00:01 x", "-i eth2 br0 c1",
            "--dry-run br0 c1 10.0.0.2/24", "-v br0 c1 10.0.0.2/24", "br0 -a 4 c1 dhcp", "--wait", "--wait -i eth2",
            "-i eth2 -i eth3 br0 c1 dhcp", "-l v1 -l v2 br0 c1 dhcp", "-ieth2 br0 c1 dhcp", "-i=eth2 br0 c1 dhcp",
            "br0 c1 dhcp -i", "br0 -i -l c1 dhcp x", "br0 -i -x c1 dhcp", "-i eth/2 br0 c1 dhcp",
            "-l this-name-is-too-long br0 c1 dhcp", "br0 c1 10.0.0.2/24 --mtu 1400", "-- br0 c1 10.0.0.2/24",
            "br0 - c1 dhcp", "br0 -1 c1 dhcp", "--batch f", "br0 c1 dhcp --version", "-h br0 c1 dhcp"};

    /** The command picocli reads from the line, and the shared options as it reads them. */
    private static PipeworkCommand picocli(String[] args, List<Invocation> how) {
        PipeworkCommand command = new PipeworkCommand();
        CommandLine.ParseResult parsed = Pipework.commandLine(command).parseArgs(args);
        Invocation read = Invocation.of(parsed);
        assertEquals(Invocation.PLAIN.dryRun(), read.dryRun(), Arrays.toString(args));
        assertEquals(Invocation.PLAIN.verbose(), read.verbose(), Arrays.toString(args));
        assertEquals(Renderer.Format.TEXT, Invocation.format(parsed), Arrays.toString(args));
        how.add(read);
        return command;
    }

    static Stream<String> plain() {
        return Stream.of(PLAIN);
    }

    static Stream<String> notPlain() {
        return Stream.of(NOT_PLAIN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plain")
    void theSameAsPicocliReadsIt(String line) {
        String[] args = line.split(" ");
        PipeworkCommand plain = PlainLine.attach(args).orElseThrow();
        PlainSubcommandTest.assertSameFields(picocli(args, new ArrayList<>()), plain, line);
        assertEquals(Optional.of(plain.words.get(1)), PlainLine.of(args).guestAsked(), "the guest readied first");
    }

    /**
     * Any other option, an option twice, a value that is an option or that picocli refuses, another
     * number of words: picocli's to read (and to refuse in its words).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("notPlain")
    void otherLinesAreNotPlain(String line) {
        assertEquals(Optional.empty(), PlainLine.attach(line.split(" ")), Arrays.toString(line.split(" ")));
    }

    /** Lines of words, options and values in any order: whatever PlainLine.attach reads, picocli reads alike. */
    static Stream<Arguments> lines() {
        List<String> words = List.of("br0", "c1", "10.0.0.2/24", "dhcp", "status", "del", "@7", "", "a=b", "eth2",
                "veth9", "4", "eth/2");
        List<String> others = List.of("-", "--", "-1", "-ieth2", "-i=eth2", "--dry-run", "-v", "-a", "--wait", "-h",
                "--json");
        return Tries.of("PlainLine.attach", 400, r -> {
            String[] line = new String[3 + r.nextInt(5)];
            for (int i = 0; i < line.length; i++) {
                // Mostly words, -i and -l often, other options now and then: many lines are read both ways.
                int pick = r.nextInt(20);
                line[i] = pick < 12 ? words.get(r.nextInt(words.size())) : pick < 18 ? (pick % 2 == 0 ? "-i" : "-l")
                        : others.get(r.nextInt(others.size()));
            }
            return line;
        });
    }

    @ParameterizedTest
    @MethodSource("lines")
    void whatItReadsPicocliReadsAlike(String[] args) {
        Optional<PipeworkCommand> plain = PlainLine.attach(args);
        if (plain.isPresent()) {
            PlainSubcommandTest.assertSameFields(picocli(args, new ArrayList<>()), plain.get(), Arrays.toString(args));
        }
    }

    /**
     * The launcher gives a line whose first word is a sub-command's name the settings of every other
     * command line, whatever its number of words: it knows each name.
     */
    @Test
    void theLauncherKnowsEverySubcommandsName() throws IOException {
        String launcher = Files.readString(Path.of("scripts/pipework"));
        String names = launcher.lines().filter(l -> l.strip().startsWith("route | rule | tc |")).findFirst().orElseThrow();
        Set<String> known = new HashSet<>();
        for (String name : names.substring(0, names.indexOf(')')).split("\\|")) {
            known.add(name.strip());
        }
        Set<String> all = new HashSet<>(Help.GUEST_COMMANDS);
        all.addAll(Help.SUBCOMMANDS);
        assertEquals(all, known, names);
    }

    /**
     * The launcher gives the plain form's cache (and with it the interpreter alone) to the lines
     * PlainLine.attach reads, unless a sub-command's name comes first, and to no other (it checks no
     * interface name: a name picocli refuses gets the plain form's settings for its error).
     */
    @Test
    void theLauncherChoosesAsPlainAttachReads(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("jdk-25/bin"));
        Path java = home.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("jdk-25/release"), "JAVA_VERSION=\"25\"\nJAVA_RUNTIME_VERSION=\"25+36\"\n");
        Path jar = Files.createFile(dir.resolve("pipework.jar"));
        for (String name : List.of("pipework.aot", "pipework-commands.aot", "pipework-cni.aot", "pipework-guest.aot")) {
            Files.createFile(dir.resolve(name)).toFile().setLastModified(jar.toFile().lastModified() + 1000);
        }
        List<String> lines = new ArrayList<>(List.of(PLAIN));
        lines.addAll(List.of(NOT_PLAIN));
        lines.addAll(List.of("del c1 10.0.0.2/24", "status c1 x y", "pool add p1 10.0.0.0/24"));
        for (String line : lines) {
            String[] args = line.split(" ");
            boolean subcommand = Help.SUBCOMMANDS.contains(args[0]) || Help.GUEST_COMMANDS.contains(args[0]);
            boolean refusedName = line.contains("eth/2") || line.contains("too-long");
            boolean expected = refusedName || (!subcommand && PlainLine.attach(args).isPresent());
            List<String> argv = new ArrayList<>(List.of("scripts/pipework"));
            argv.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(dir.resolve("out").toFile())
                    .redirectError(dir.resolve("err").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("PIPEWORK_") || k.startsWith("CNI_"));
            pb.environment().put("PIPEWORK_JAVA", java.toString());
            pb.environment().put("PIPEWORK_JAR", jar.toString());
            Process p = pb.start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher still runs after 30 s");
            List<String> jvm = Files.readAllLines(dir.resolve("out"), StandardCharsets.UTF_8);
            assertEquals(expected, jvm.contains("-XX:AOTCache=" + dir.resolve("pipework.aot")), line + ": " + jvm);
        }
    }
}
