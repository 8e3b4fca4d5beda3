package dev.pipework.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Docker engine of the test's own, beside the machine's: its own socket, data and exec roots, no
 * bridge network, no iptables. A test may stop and start it, and follow its events, without
 * touching the engine that other tests use. The test image is loaded into it from the machine's
 * engine ({@code docker save | docker load}).
 */
public final class PrivateEngine implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DOCKER_TIMEOUT = Duration.ofSeconds(90);

    private final String suffix = HostCleanup.uniqueSuffix();
    private final Path socket = Path.of("/run/pwt-" + suffix + ".sock");
    private final Path dataRoot = Path.of("/var/lib/pipework-test-docker-" + suffix);
    private final Path execRoot = Path.of("/run/pwt-" + suffix);
    private final Path pidFile = Path.of("/run/pwt-" + suffix + ".pid");
    private final Path log = Path.of("/tmp/pipework-test-dockerd-" + suffix + ".log");
    private Process dockerd;
    private List<String> options = List.of();

    /** Starts the engine and loads the test image into it. */
    public static PrivateEngine start() {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("dockerd");
        PrivateEngine e = new PrivateEngine();
        try {
            e.up();
            Sh.Result r = Sh.run(List.of("sh", "-c", "docker save " + Prerequisites.TEST_IMAGE
                    + " | DOCKER_HOST=" + e.host() + " docker load"), DOCKER_TIMEOUT);
            if (r.code() != 0) {
                throw new AssertionError("loading the test image into the private engine failed: " + r.describe());
            }
            return e;
        } catch (RuntimeException | Error failure) {
            e.close();
            throw failure;
        }
    }

    /** {@code unix://<socket>}, for {@code DOCKER_HOST}. */
    public String host() {
        return "unix://" + socket;
    }

    public Map<String, String> env() {
        return Map.of("DOCKER_HOST", host());
    }

    /** Runs {@code docker <args>} against this engine. */
    public Sh.Result docker(String... args) {
        List<String> argv = new ArrayList<>(List.of("docker"));
        argv.addAll(List.of(args));
        return Sh.run(argv, DOCKER_TIMEOUT, null, env());
    }

    public Sh.Result dockerOk(String... args) {
        return dockerOk(DOCKER_TIMEOUT, args);
    }

    /** As {@link #dockerOk(String...)}, bounded by {@code bound} (many containers at once on a loaded host). */
    public Sh.Result dockerOk(Duration bound, String... args) {
        List<String> argv = new ArrayList<>(List.of("docker"));
        argv.addAll(List.of(args));
        Sh.Result r = Sh.run(argv, bound, null, env());
        if (r.code() != 0) {
            throw new AssertionError("docker " + String.join(" ", args) + " failed: " + r.describe());
        }
        return r;
    }

    /**
     * Removes these containers ({@code docker rm -f}), or says why it could not. Docker 20.10 waits
     * without a bound for the exit of each container it kills (daemon/kill.go); with a hundred
     * killed at once it has been seen to wait for good, on an exit it was never told of, though the
     * processes were gone. Past {@code bound} (and only then) the engine is restarted (it reads its containers'
     * state again as it starts) and the removal tried once more. Returns the failure, if any.
     */
    public java.util.Optional<String> remove(List<String> containers, Duration bound) {
        if (containers.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<String> argv = new ArrayList<>(List.of("docker", "rm", "-f"));
        argv.addAll(containers);
        Sh.Result first = Sh.run(argv, bound, null, env());
        if (first.code() != Sh.TIMEOUT_CODE) {
            // Done, or refused ("No such container": gone already), which a restart would not change.
            return first.code() == 0 || first.err().contains("No such container") ? java.util.Optional.empty()
                    : java.util.Optional.of("docker rm -f: " + first.describe());
        }
        System.out.println("PrivateEngine: docker rm -f of " + containers.size() + " containers: " + first.describe()
                + "; the engine is restarted");
        boolean wasUp = dockerd != null;
        down();
        up(options);
        Sh.Result again = Sh.run(argv, bound, null, env());
        if (!wasUp) {
            down();
        }
        return again.code() == 0 ? java.util.Optional.empty()
                : java.util.Optional.of("docker rm -f, after a restart of the engine: " + again.describe());
    }

    public int pid(String container) {
        return Integer.parseInt(dockerOk("inspect", "--format", "{{.State.Pid}}", container).trimmed());
    }

    /** Starts dockerd and waits until it answers. */
    public void up() {
        up(List.of());
    }

    /** Starts dockerd with these options too ({@code --live-restore}) and waits until it answers. */
    public void up(List<String> options) {
        List<String> argv = new ArrayList<>(List.of("dockerd", "--iptables=false", "--ip6tables=false", "--bridge", "none",
                "--host", host(), "--data-root", dataRoot.toString(), "--exec-root", execRoot.toString(),
                "--pidfile", pidFile.toString()));
        argv.addAll(options);
        this.options = List.copyOf(options);
        try {
            dockerd = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start dockerd: " + e, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!dockerd.isAlive()) {
                throw new AssertionError("the private dockerd exited at start; see " + log);
            }
            if (Files.exists(socket) && docker("version", "--format", "{{.Server.Version}}").code() == 0) {
                return;
            }
            sleep(200);
        }
        throw new AssertionError("the private dockerd did not answer within " + START_TIMEOUT + "; see " + log);
    }

    /** Stops dockerd (SIGTERM, as a service manager does) and waits until it is gone. */
    public void down() {
        if (dockerd == null) {
            return;
        }
        dockerd.destroy();
        try {
            if (!dockerd.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                dockerd.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dockerd = null;
    }

    @Override
    public void close() {
        if (dockerd != null && dockerd.isAlive()) {
            String ids = docker("ps", "-aq").out().strip();
            if (!ids.isEmpty()) {
                remove(List.of(ids.split("\\s+")), DOCKER_TIMEOUT).ifPresent(
                        failure -> System.out.println("PrivateEngine: left at close: " + failure));
            }
        }
        down();
        // What a dockerd that did not stop cleanly left mounted goes first: rm must not cross a mount.
        Sh.run(List.of("sh", "-c", "for r in " + execRoot + " " + dataRoot + "; do"
                + " awk -v r=\"$r\" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r | xargs -r umount -l; done;"
                + " rm -rf " + execRoot + " " + dataRoot + " " + socket + " " + pidFile), Duration.ofMinutes(2));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
