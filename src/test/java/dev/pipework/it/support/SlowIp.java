package dev.pipework.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fault injection for the signal tests: an {@code ip} of the test's own, to put first on the tool's
 * PATH. It runs the real one, after a pause for the commands that change something ({@code -batch},
 * {@code add}, {@code set}, {@code del}, {@code replace}), and logs every invocation when it begins
 * ({@code begin <pid> <arguments> | <batch input, lines joined by ;>}) and when it ends
 * ({@code end <pid>}), so that a test can send its signal while one of a plan's commands runs.
 */
public final class SlowIp {
    private final Path dir;
    private final Path log;

    private SlowIp(Path dir, Path log) {
        this.dir = dir;
        this.log = log;
    }

    /** Writes the slowed {@code ip} into {@code dir}, pausing {@code pause} (a sleep(1) argument). */
    public static SlowIp in(Path dir, String pause) throws IOException {
        String real = Sh.ok("sh", "-c", "command -v ip").trimmed();
        Files.createDirectories(dir);
        Path log = dir.resolve("ip.log");
        Path ip = dir.resolve("ip");
        Files.writeString(ip, String.join("\n",
                "#!/bin/sh",
                "log='" + log + "'",
                "case \" $* \" in",
                "  *' -batch '*) input=$(cat); batch=1 ;;",
                "  *) input=; batch= ;;",
                "esac",
                "printf 'begin %s %s | %s\\n' $$ \"$*\" \"$(printf '%s' \"$input\" | tr '\\n' ';')\" >> \"$log\"",
                "case \" $* \" in",
                "  *' -batch '*|*' add '*|*' set '*|*' del '*|*' replace '*) sleep " + pause + " ;;",
                "esac",
                "if [ -n \"$batch\" ]; then",
                "  printf '%s\\n' \"$input\" | '" + real + "' \"$@\"",
                "else",
                "  '" + real + "' \"$@\"",
                "fi",
                "rc=$?",
                "printf 'end %s\\n' $$ >> \"$log\"",
                "exit $rc",
                ""), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(ip, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new SlowIp(dir, log);
    }

    /** The environment that puts it first on the PATH. */
    public Map<String, String> env() {
        return Map.of("PATH", dir + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
    }

    /** What the invocations begun and not ended were given (arguments, then batch input). */
    public List<String> running() {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
        Map<String, String> begun = new LinkedHashMap<>();
        for (String line : lines) {
            String[] words = line.split(" ", 3);
            if (words.length >= 2 && words[0].equals("begin")) {
                begun.put(words[1], words.length > 2 ? words[2] : "");
            } else if (words.length >= 2 && words[0].equals("end")) {
                begun.remove(words[1]);
            }
        }
        return new ArrayList<>(begun.values());
    }

    /** Whether that invocation changes something (a plan's command, not a reading of facts). */
    public static boolean changes(String what) {
        return what.contains("-batch") || what.matches(".*\\b(add|set|del|replace)\\b.*");
    }
}
