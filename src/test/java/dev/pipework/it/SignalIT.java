package dev.pipework.it;

import dev.pipework.it.support.Guest;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Ovs;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.SlowIp;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line's policy: SIGTERM or SIGINT midway through an attach stops the command running
 * with what it started, and what the run did is undone on the way out. (The watcher's policy is
 * {@link WatchSignalIT}'s.)
 */
class SignalIT {

    /**
     * {@code udhcpc} in the guest's namespace asks a server that is not there: while it asks, the
     * run gets SIGTERM. It exits 143 within seconds; the veth, the netns mount for ip netns exec
     * and the client are gone.
     */
    @Test
    void sigtermWhileADhcpClientWaitsUndoesTheRun() throws IOException, InterruptedException {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("udhcpc");
        try (Rig rig = new Rig()) {
            String br = rig.bridge();
            Guest c = rig.container("sigterm");
            int pid = c.pid();
            Path mount = Path.of("/var/run/netns/pipework-" + pid);
            Path err = Files.createTempFile("pw-signal", ".err");
            Process run = new ProcessBuilder(atDefaults(List.of(br, c.name(), "udhcpc")))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile())
                    .start();
            try {
                assertTrue(Poll.within(Duration.ofSeconds(30), Poll.TICK, () -> clientRunning(pid)),
                        "udhcpc never started in the guest's namespace");
                assertTrue(IpJson.link(null, "veth1pl" + pid).isPresent(), "no veth while the client asks");

                run.destroy();
                assertTrue(run.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGTERM");
                String said = Files.readString(err, StandardCharsets.UTF_8);
                assertEquals(143, run.exitValue(), said);
                assertTrue(said.contains("stopped by a signal; what this run did was undone"), said);
                assertEquals(Optional.empty(), IpJson.link(null, "veth1pl" + pid), "the veth is left");
                assertEquals(Optional.empty(), IpJson.link(pid, "eth1"), "eth1 is left in the container");
                assertFalse(Files.exists(mount), "the netns mount is left: " + mount);
                assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> !clientRunning(pid)),
                        "udhcpc still runs");
            } finally {
                run.destroyForcibly();
                Files.deleteIfExists(err);
            }
        }
    }

    /**
     * SIGINT (a Ctrl-C) while one of the plan's {@code ip} commands runs, after the veth and its
     * Open vSwitch port were made: exit status 130, and the veth, its port and its peer are gone,
     * in the host and in the container. The {@code ip} on the tool's PATH is slowed
     * ({@link SlowIp}) so that the signal lands while the plan runs.
     */
    @Test
    void sigintWhileAPlansIpCommandRunsUndoesTheRun() throws IOException, InterruptedException {
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        Path dir = Files.createTempDirectory("pw-signal-ip");
        try (Rig rig = new Rig()) {
            String ovs = rig.ovsBridge();
            Ovs.vsctl("add-br", ovs, "--", "set", "bridge", ovs, "datapath_type=netdev");
            Guest c = rig.container("sigint");
            int pid = c.pid();
            SlowIp ip = SlowIp.in(dir, "2");
            Path err = dir.resolve("err");
            ProcessBuilder pb = new ProcessBuilder(atDefaults(List.of(ovs, c.name(), "10.85.0.2/24")))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile());
            pb.environment().putAll(ip.env());
            Process run = pb.start();
            try {
                assertTrue(Poll.within(Duration.ofSeconds(30), Duration.ofMillis(10), () -> ip.running().stream()
                        .anyMatch(w -> w.contains("-batch") && w.contains("veth1p"))), "no batch of the plan ran");
                assertTrue(Ovs.ports(ovs).contains("veth1pl" + pid), "no port while the plan runs: " + Ovs.ports(ovs));

                Sh.ok("kill", "-INT", Long.toString(run.pid()));
                assertTrue(run.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGINT");
                String said = Files.readString(err, StandardCharsets.UTF_8);
                assertEquals(130, run.exitValue(), said);
                assertTrue(said.contains("stopped by a signal; what this run did was undone"), said);
                assertFalse(said.contains("failed to undo"), said);
                assertEquals(Optional.empty(), IpJson.link(null, "veth1pl" + pid), "the veth is left; " + said);
                assertEquals(Optional.empty(), IpJson.link(null, "veth1pg" + pid), "its peer is left on the host; " + said);
                assertEquals(List.of(), Ovs.ports(ovs), "the port is left; " + said);
                assertFalse(IpJson.linkNames(pid).stream().anyMatch(n -> n.equals("eth1") || n.startsWith("veth")),
                        "a link is left in the container: " + IpJson.linkNames(pid) + "; " + said);
            } finally {
                run.destroyForcibly();
                Sh.run("rm", "-rf", dir.toString());
            }
        }
    }

    /**
     * The tool's command line with SIGINT and SIGTERM at their default dispositions: a suite started
     * in the background ({@code nohup ... &}) passes SIGINT on ignored, and a JVM that starts with a
     * signal ignored leaves it ignored. {@code env} execs the JVM, so the process is the tool's.
     */
    private static List<String> atDefaults(List<String> args) {
        List<String> argv = new java.util.ArrayList<>(List.of("env", "--default-signal=INT,TERM"));
        argv.addAll(Pipework.command(args));
        return argv;
    }

    /** Whether a udhcpc runs with this guest's pid file (the original's {@code -p /var/run/udhcpc.<guest>.pid}). */
    private static boolean clientRunning(int pid) {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).anyMatch(p -> {
                try {
                    String cmd = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    return cmd.startsWith("udhcpc ") && cmd.contains("hostname:pw-it-")
                            && Files.readSymbolicLink(p.resolve("ns/net")).equals(
                                    Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")));
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }
}
