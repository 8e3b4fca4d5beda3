package dev.pipework.it.support;

import dev.pipework.exec.Journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code ovsdb-server} of the test's own, its database and socket in a directory of the test's,
 * so that the machine's Open vSwitch is never touched; {@code OVS_RUNDIR} names it to pipework
 * ({@link #env}), and an {@code ovs-vsctl} first on PATH there talks to it with {@code --no-wait}.
 * No {@code ovs-vswitchd} serves it: where a test wants a switch that applies each change
 * ({@code cur_cfg} made {@code next_cfg}, {@code ofport} given, which a change that waits for the
 * switch waits for), it
 * starts {@link #standInSwitch}.
 *
 * <p>With a file {@code stop-after-veth} in {@link #dir}, the {@code ip} first on PATH stops the
 * server once it has made a veth: the run's next step, a port's addition, finds the database gone.
 */
public final class PrivateOvsdb implements AutoCloseable {
    private static final Duration RUN = Duration.ofSeconds(60);
    /** The interface {@link #standInSwitch} cannot open. */
    public static final String UNOPENABLE = "unopenable";
    /** The interface {@link #standInSwitch} leaves without an OpenFlow port. */
    public static final String UNHANDLED = "unhandled";
    public final Path dir;
    private final Path pid;
    private Process standIn;

    public PrivateOvsdb(Path dir) throws IOException {
        this.dir = dir;
        this.pid = dir.resolve("ovsdb.pid");
        Files.createDirectories(dir.resolve("bin"));
        Sh.ok("ovsdb-tool", "create", dir.resolve("conf.db").toString(), schema());
        String vsctl = Sh.ok("sh", "-c", "command -v ovs-vsctl").trimmed();
        String ip = Sh.ok("sh", "-c", "command -v ip").trimmed();
        write(dir.resolve("bin").resolve("ovs-vsctl"), String.join("\n",
                "#!/bin/sh",
                "exec '" + vsctl + "' --db=unix:'" + socket() + "' --no-wait \"$@\"",
                ""));
        write(dir.resolve("bin").resolve("ip"), String.join("\n",
                "#!/bin/sh",
                "d='" + dir + "'",
                "'" + ip + "' \"$@\"; rc=$?",
                "if [ -e \"$d/stop-after-veth\" ] && printf '%s\\n' \"$*\" | grep -q 'type veth'; then",
                "  p=$(cat \"$d/ovsdb.pid\"); kill \"$p\"; while kill -0 \"$p\" 2>/dev/null; do sleep 0.05; done",
                "fi",
                "exit $rc",
                ""));
        start();
        try {
            vsctl("init").assertOk("ovs-vsctl init");
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    private static String schema() {
        for (String s : List.of("/usr/share/openvswitch/vswitch.ovsschema", "/usr/local/share/openvswitch/vswitch.ovsschema")) {
            if (Files.isRegularFile(Path.of(s))) {
                return s;
            }
        }
        throw new AssertionError("no vswitch.ovsschema");
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The server's socket, where {@code ovs-vsctl} looks for it under {@code OVS_RUNDIR}. */
    public Path socket() {
        return dir.resolve("db.sock");
    }

    public void start() {
        Sh.ok("ovsdb-server", "--remote=punix:" + socket(), "--pidfile=" + pid, "--detach",
                "--no-chdir", "--log-file=" + dir.resolve("log"), dir.resolve("conf.db").toString());
    }

    public void stop() throws IOException {
        if (Files.exists(pid)) {
            String p = Files.readString(pid).trim();
            Sh.run("kill", p);
            Sh.ok("sh", "-c", "while kill -0 " + p + " 2>/dev/null; do sleep 0.05; done");
        }
    }

    public Sh.Result vsctl(String... args) {
        List<String> argv = new ArrayList<>(List.of(dir.resolve("bin").resolve("ovs-vsctl").toString()));
        argv.addAll(List.of(args));
        return Sh.run(argv, RUN);
    }

    /**
     * A run's environment: the wrappers first on PATH, this database for the questions asked on its
     * socket, the journal in {@code journal}.
     */
    public Map<String, String> env(Path journal) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", dir.resolve("bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        env.put("OVS_RUNDIR", dir.toString());
        env.put(Journal.DIR_VARIABLE, journal.toString());
        return env;
    }

    /**
     * Starts a stand-in for {@code ovs-vswitchd}'s part in a change: it gives every interface without
     * one an OpenFlow port number and sets {@code cur_cfg} to {@code next_cfg}, as the switch does
     * once it has applied the database, whenever {@code next_cfg} moves (it waits on the server for
     * that) and at least every 0.1 s (the switch applies a change that asks for no new configuration
     * number too, as {@code ovs-vsctl --no-wait} makes). An interface named {@link #UNOPENABLE} gets the
     * port number -1 and an error, as one the switch cannot open; one named {@link #UNHANDLED} none. Stopped by {@link #close}.
     */
    public void standInSwitch() throws IOException {
        String db = "unix:" + socket();
        Path script = dir.resolve("switch.sh");
        write(script, String.join("\n",
                "#!/bin/sh",
                "db='" + db + "'",
                "while :; do",
                "  n=$(ovsdb-client transact \"$db\" '[\"Open_vSwitch\",{\"op\":\"select\",\"table\":\"Open_vSwitch\","
                        + "\"where\":[],\"columns\":[\"next_cfg\"]}]' 2>/dev/null | grep -o '\"next_cfg\":[0-9]*' | cut -d: -f2)",
                "  if [ -z \"$n\" ]; then sleep 0.1; continue; fi",
                "  ovsdb-client transact \"$db\" '[\"Open_vSwitch\",{\"op\":\"update\",\"table\":\"Interface\","
                        + "\"where\":[[\"ofport\",\"==\",[\"set\",[]]],[\"name\",\"==\",\"" + UNOPENABLE + "\"]],"
                        + "\"row\":{\"ofport\":-1,\"error\":\"could not open network device (stand-in)\"}},"
                        + "{\"op\":\"update\",\"table\":\"Interface\","
                        + "\"where\":[[\"ofport\",\"==\",[\"set\",[]]],[\"name\",\"!=\",\"" + UNHANDLED + "\"]],"
                        + "\"row\":{\"ofport\":1}},"
                        + "{\"op\":\"update\",\"table\":\"Open_vSwitch\","
                        + "\"where\":[],\"row\":{\"cur_cfg\":'\"$n\"'}}]' >/dev/null 2>&1",
                "  ovsdb-client transact \"$db\" '[\"Open_vSwitch\",{\"op\":\"wait\",\"table\":\"Open_vSwitch\","
                        + "\"where\":[],\"columns\":[\"next_cfg\"],\"until\":\"!=\",\"rows\":[{\"next_cfg\":'\"$n\"'}],"
                        + "\"timeout\":100}]' >/dev/null 2>&1",
                "done",
                ""));
        try {
            standIn = new ProcessBuilder(script.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("switch.log").toFile()).start();
        } catch (IOException e) {
            stop();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        if (standIn != null) {
            List<ProcessHandle> children = standIn.descendants().toList();
            standIn.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            try {
                standIn.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stop();
    }
}
