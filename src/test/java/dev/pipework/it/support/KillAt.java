package dev.pipework.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Fault injection for the journal's tests: an {@code ip} and an {@code ovs-vsctl} of the test's own,
 * put first on the tool's PATH, that count the commands that change something and SIGKILL the
 * pipework process (their parent: the runner starts them directly, or through {@code nsenter}, which
 * execs them) at the k-th. A reading ({@code ip -j}, which a {@code del} batches) passes through. An {@code ip -batch} is carried out one line at a time (each line its own
 * {@code ip -batch}, so that ip's own quoting holds), each line one count, so that a kill can fall between any two of a plan's steps, also inside a batch. With
 * {@code KILL_AT=k} the process is killed before the k-th change; with {@code KILL_AFTER=k}, after
 * it; with neither, the changes are only counted. The PID killed is written to {@code killed}. A
 * batch by {@code ip -n} that cannot enter its namespace fails as {@code ip} would, before any line
 * and uncounted (the tool then runs it by {@code nsenter}). A run's {@code OVS_RUNDIR} is an empty
 * directory: with no database socket there, the tool reads and changes Open vSwitch by
 * {@code ovs-vsctl}, which counts its changes and talks to the machine's database.
 */
public final class KillAt {
    private final Path dir;

    private KillAt(Path dir) {
        this.dir = dir;
    }

    public static KillAt in(Path dir) throws IOException {
        return in(dir, List.of());
    }

    /**
     * Also counts each of {@code commands} (a DHCP attach's {@code mkdir}, {@code mount}, {@code tee},
     * the client, ...) as a change, run as the tool's runner finds it on PATH. Each is run with the
     * PATH and the environment without the wrappers and kill points, so that what it starts (the
     * lease keeper, the client's script and its {@code ip}) is not counted and lives on unwrapped.
     * With {@code KILL_WHILE=k} the k-th is started and the tool killed while it runs (a DHCP client
     * asking for its lease).
     */
    public static KillAt in(Path dir, List<String> commands) throws IOException {
        Files.createDirectories(dir);
        String ip = Sh.ok("sh", "-c", "command -v ip").trimmed();
        String vsctl = Sh.ok("sh", "-c", "command -v ovs-vsctl").trimmed();
        String common = String.join("\n",
                "d='" + dir + "'",
                "count() { n=$(cat \"$d/count\" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > \"$d/count\"; echo \"$n ${0##*/}\" >> \"$d/steps\"; }",
                "die() { echo $PPID > \"$d/killed\"; kill -9 $PPID; exit 137; }",
                "armed() { cat \"$d/$1\" 2>/dev/null; }",
                "before() { count; [ \"$n\" = \"${KILL_AT:-$(armed at)}\" ] && die; :; }",
                "after() { [ \"$n\" = \"${KILL_AFTER:-$(armed after)}\" ] && die; :; }",
                "");
        write(dir.resolve("ip"), String.join("\n",
                "#!/bin/sh",
                "set -f",
                common,
                "real='" + ip + "'",
                "case \" $* \" in",
                "  *' -j '*|*' -json '*) exec \"$real\" \"$@\" ;;",
                "  *' -batch '*)",
                "    flags=''",
                "    for a in \"$@\"; do case \"$a\" in -batch|-) ;; *) flags=\"$flags $a\" ;; esac; done",
                // ip -n that cannot enter its namespace fails before any line, uncounted, as ip would.
                "    case \" $flags \" in *' -n '*) \"$real\" $flags link show dev lo >/dev/null 2>&1"
                        + " || [ $? != 255 ] || exec \"$real\" \"$@\" ;; esac",
                "    line=0",
                "    while IFS= read -r l; do",
                "      line=$((line + 1))",
                "      [ -z \"$l\" ] && continue",
                "      before",
                "      if ! out=$(printf '%s\\n' \"$l\" | \"$real\" $flags -batch - 2>&1); then",
                "        printf '%s\\n' \"$out\" | grep -v '^Command failed' >&2",
                "        echo \"Command failed -:$line\" >&2; exit 1",
                "      fi",
                "      after",
                "    done",
                "    exit 0 ;;",
                "  *' add '*|*' set '*|*' del '*|*' replace '*)",
                "    before; \"$real\" \"$@\"; rc=$?; after; exit $rc ;;",
                "esac",
                "exec \"$real\" \"$@\"",
                ""));
        // The machine's database, where the runs' OVS_RUNDIR (an empty directory) has none.
        String db = "--db=unix:" + Path.of(Optional.ofNullable(System.getenv("OVS_RUNDIR")).filter(d -> !d.isEmpty())
                .orElse("/var/run/openvswitch"), "db.sock");
        Files.createDirectories(dir.resolve("ovs-run"));
        write(dir.resolve("ovs-vsctl"), String.join("\n",
                "#!/bin/sh",
                common,
                "real='" + vsctl + "'",
                "case \" $* \" in",
                "  *' add-port '*|*' del-port '*|*' add-br '*|*' del-br '*|*' set '*)",
                "    before; \"$real\" '" + db + "' \"$@\"; rc=$?; after; exit $rc ;;",
                "esac",
                "exec \"$real\" '" + db + "' \"$@\"",
                ""));
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String command : commands) {
            write(dir.resolve(command), String.join("\n",
                    "#!/bin/sh",
                    common,
                    "unwrapped() { env -u KILL_AT -u KILL_AFTER -u KILL_WHILE PATH='" + path + "' " + command + " \"$@\"; }",
                    "before",
                    "if [ \"$n\" = \"${KILL_WHILE:-}\" ]; then unwrapped \"$@\" & sleep 0.1; die; fi",
                    "unwrapped \"$@\"; rc=$?; after; exit $rc",
                    ""));
        }
        return new KillAt(dir);
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The environment of a run: the wrappers first on PATH, the kill point (0: none). */
    public Map<String, String> env(String variable, int k) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", dir + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        env.put("KILL_AT", variable.equals("KILL_AT") ? Integer.toString(k) : "");
        env.put("KILL_AFTER", variable.equals("KILL_AFTER") ? Integer.toString(k) : "");
        env.put("KILL_WHILE", variable.equals("KILL_WHILE") ? Integer.toString(k) : "");
        env.put("OVS_RUNDIR", dir.resolve("ovs-run").toString());
        return env;
    }

    /**
     * A kill point for a process that lives on between runs (the Docker driver), read from a file at
     * each change where the environment sets none: {@code KILL_AT} or {@code KILL_AFTER} the k-th
     * change counted from the last {@link #reset}.
     */
    public void arm(String variable, int k) throws IOException {
        disarm();
        Files.writeString(dir.resolve(variable.equals("KILL_AT") ? "at" : "after"), Integer.toString(k));
    }

    public void disarm() throws IOException {
        Files.deleteIfExists(dir.resolve("at"));
        Files.deleteIfExists(dir.resolve("after"));
    }

    /** Starts counting afresh. */
    public void reset() throws IOException {
        Files.deleteIfExists(dir.resolve("count"));
        Files.deleteIfExists(dir.resolve("killed"));
        Files.deleteIfExists(dir.resolve("steps"));
    }

    /** The command (its name on PATH) of each change counted, in order: the k-th change is element k - 1. */
    public List<String> steps() throws IOException {
        Path f = dir.resolve("steps");
        return !Files.exists(f) ? List.of() : Files.readAllLines(f).stream().map(l -> l.split(" ", 2))
                .filter(w -> w.length == 2).map(w -> w[1]).toList();
    }

    /** How many changes were counted. */
    public int count() throws IOException {
        Path f = dir.resolve("count");
        return Files.exists(f) ? Integer.parseInt(Files.readString(f).trim()) : 0;
    }

    /** The journal's entries (file names, temporary files included), sorted; none when it has no directory. */
    public static List<String> entries(Path journal) {
        if (!Files.isDirectory(journal)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(journal)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The journal's entries written by process {@code pid}. */
    public static List<String> entriesOf(Path journal, long pid) {
        return entries(journal).stream().filter(n -> n.startsWith(pid + "-") || n.startsWith("." + pid + "-")).toList();
    }

    /** {@code env} with {@code more} added. */
    public static Map<String, String> with(Map<String, String> env, Map<String, String> more) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(more);
        return all;
    }

    /** The PID killed, if one was. */
    public OptionalLong killed() throws IOException {
        Path f = dir.resolve("killed");
        return Files.exists(f) ? OptionalLong.of(Long.parseLong(Files.readString(f).trim())) : OptionalLong.empty();
    }
}
