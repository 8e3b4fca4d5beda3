package dev.pipework.it.support;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Throwaway containers of the local test image, started with {@code --net=none}
 * so that every interface they get is one a test (or the tool) plumbed in.
 * Names are unique per instance ({@code pw-it-<random>-<label>}); close()
 * force-removes every container it started.
 */
public final class TestContainers implements AutoCloseable {

    /** Label put on every container, so strays from an aborted run can be found. */
    public static final String LABEL = "dev.pipework.it";

    private static final Duration DOCKER_TIMEOUT = Duration.ofSeconds(90);

    private final String runId = HostCleanup.uniqueSuffix();
    private final Deque<String> started = new ArrayDeque<>();

    /** Starts {@code sleep 3600} in a new --net=none container; returns its name. */
    public String start(String label) {
        return start(label, new String[0]);
    }

    /**
     * Starts a container with extra {@code docker run} arguments placed before
     * the image, e.g. {@code "--sysctl", "net.ipv6.conf.all.disable_ipv6=1"}.
     */
    public String start(String label, String... dockerArgs) {
        String name = "pw-it-" + runId + "-" + label;
        synchronized (this) {
            if (started.contains(name)) {
                throw new IllegalArgumentException("container label already used in this run: " + label);
            }
            started.push(name);
        }
        List<String> argv = new ArrayList<>(List.of("docker", "run", "-d", "--net=none", "--name", name,
                "--label", LABEL + "=1"));
        argv.addAll(List.of(dockerArgs));
        argv.addAll(List.of(Prerequisites.TEST_IMAGE, "sleep", "3600"));
        Sh.ok(argv, DOCKER_TIMEOUT);
        return name;
    }

    /** Runs {@code cmd} in container {@code name} with {@code docker exec}. */
    public Sh.Result exec(String name, String... cmd) {
        List<String> argv = new ArrayList<>(List.of("docker", "exec", name));
        argv.addAll(List.of(cmd));
        return Sh.run(argv, DOCKER_TIMEOUT);
    }

    /** Like {@link #exec} but throws an AssertionError with the output when exit != 0. */
    public Sh.Result execOk(String name, String... cmd) {
        Sh.Result r = exec(name, cmd);
        if (r.code() != 0) {
            throw new AssertionError("in container " + name + ": " + String.join(" ", cmd) + " failed: " + r.describe());
        }
        return r;
    }

    /**
     * Runs a host command ({@code argv}, e.g. {@code ip addr add ...}) inside
     * the container's network namespace via {@code nsenter}. Containers run
     * without CAP_NET_ADMIN, as a user's would, so network configuration done
     * by hand must come from the host side like this, not through docker exec.
     */
    public Sh.Result netExec(String name, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/proc/" + pid(name) + "/ns/net"));
        cmd.addAll(List.of(argv));
        return Sh.run(cmd, DOCKER_TIMEOUT);
    }

    /** Like {@link #netExec} but throws an AssertionError with the output when exit != 0. */
    public Sh.Result netOk(String name, String... argv) {
        Sh.Result r = netExec(name, argv);
        if (r.code() != 0) {
            throw new AssertionError("in netns of container " + name + ": " + String.join(" ", argv) + " failed: "
                    + r.describe());
        }
        return r;
    }

    /** Host pid of the container's init process (its namespaces live at /proc/PID/ns). */
    public int pid(String name) {
        String out = Sh.ok(List.of("docker", "inspect", "--format", "{{.State.Pid}}", name), DOCKER_TIMEOUT).trimmed();
        int pid = Integer.parseInt(out);
        if (pid <= 0) {
            throw new AssertionError("container " + name + " is not running (pid " + out + ")");
        }
        return pid;
    }

    /** Full container id. */
    public String id(String name) {
        return Sh.ok(List.of("docker", "inspect", "--format", "{{.Id}}", name), DOCKER_TIMEOUT).trimmed();
    }

    /**
     * Whether container {@code from} gets an echo reply from {@code ip}. The
     * first packets to a new neighbour can be lost while ARP/ND resolves (and
     * while a fresh bridge port leaves the learning state), so up to three
     * one-second attempts are made.
     */
    public boolean ping(String from, String ip) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (exec(from, "ping", "-c", "1", "-W", "1", ip).code() == 0) {
                return true;
            }
        }
        return false;
    }

    /** Names of the containers started so far, newest first. */
    public synchronized List<String> names() {
        return List.copyOf(started);
    }

    @Override
    public synchronized void close() {
        if (started.isEmpty()) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of("docker", "rm", "-f", "-v"));
        argv.addAll(started);
        Sh.Result r = Sh.run(argv, DOCKER_TIMEOUT);
        started.clear();
        if (r.code() != 0 && !r.err().contains("No such container")) {
            throw new AssertionError("docker rm -f failed: " + r.describe());
        }
    }
}
