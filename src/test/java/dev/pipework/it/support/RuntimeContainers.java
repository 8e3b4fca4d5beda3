package dev.pipework.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;


/**
 * Throwaway containers of a runtime other than Docker: rootful podman (the local test image, loaded
 * into podman by {@code scripts/test-env}) or LXC (the busybox template, which uses the host's
 * busybox). Like {@link TestContainers}, each starts with no network but its loopback, and is named
 * {@code pw-it-<random>-<label>}; close() removes every container it started.
 */
public abstract class RuntimeContainers implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String HINT = " (run scripts/test-env as root to prepare this machine)";

    protected final String runId = HostCleanup.uniqueSuffix();
    private final Deque<String> started = new ArrayDeque<>();

    /** The runtime's key, as {@code --json} names it: {@code podman}, {@code lxc}. */
    public abstract String key();

    /** Starts {@code sleep} in a new container with no network; returns its name. */
    public String start(String label) {
        String name = "pw-it-" + runId + "-" + label;
        synchronized (this) {
            if (started.contains(name)) {
                throw new IllegalArgumentException("container label already used in this run: " + label);
            }
            started.push(name);
        }
        create(name);
        return name;
    }

    protected abstract void create(String name);

    /** Host PID of the container's init. */
    public abstract int pid(String name);

    /** The runtime's full ID of the container, where it has one. */
    public abstract String id(String name);

    /** Runs {@code cmd} inside the container. */
    public abstract Sh.Result exec(String name, String... cmd);

    protected abstract void remove(String name);

    /** One echo request from container {@code from}, one second to answer. */
    public boolean pingOnce(String from, String ip) {
        return exec(from, "ping", "-c", "1", "-W", "1", ip).code() == 0;
    }

    /** Whether container {@code from} reaches {@code ip} within {@link Reach#PATIENCE}. */
    public boolean pingEventually(String from, String ip) {
        return Poll.within(Reach.PATIENCE, Duration.ofMillis(200), () -> pingOnce(from, ip));
    }

    @Override
    public synchronized void close() {
        List<String> failures = new ArrayList<>();
        while (!started.isEmpty()) {
            String name = started.pop();
            try {
                remove(name);
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(key() + " cleanup failed:\n" + String.join("\n", failures));
        }
    }

    /** Rootful podman; its API socket must answer (scripts/test-env starts the service). */
    public static RuntimeContainers podman() {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("podman");
        Sh.Result ping = Sh.run(List.of("curl", "-sf", "--max-time", "5", "--unix-socket", "/run/podman/podman.sock",
                "http://d/_ping"), Duration.ofSeconds(10));
        if (ping.code() != 0) {
            Prerequisites.missing("podman's API socket /run/podman/podman.sock does not answer" + HINT);
        }
        if (Sh.run(List.of("podman", "image", "exists", Prerequisites.TEST_IMAGE), TIMEOUT).code() != 0) {
            Prerequisites.missing("test image " + Prerequisites.TEST_IMAGE + " is not loaded into podman" + HINT);
        }
        return new Podman();
    }

    /** LXC with its tools and the busybox template. */
    public static RuntimeContainers lxc() {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("lxc-create");
        Prerequisites.requireCommand("lxc-info");
        if (!Files.exists(Path.of("/usr/share/lxc/templates/lxc-busybox"))) {
            Prerequisites.missing("the LXC busybox template is not installed" + HINT);
        }
        return new Lxc();
    }

    private static final class Podman extends RuntimeContainers {
        public String key() {
            return "podman";
        }

        protected void create(String name) {
            Sh.ok(List.of("podman", "run", "-d", "--network", "none", "--cap-add", "NET_RAW", "--name", name,
                    "--label", TestContainers.LABEL + "=1", Prerequisites.TEST_IMAGE, "sleep", "3600"), TIMEOUT);
        }

        public int pid(String name) {
            return Integer.parseInt(Sh.ok(List.of("podman", "inspect", "--format", "{{.State.Pid}}", name), TIMEOUT)
                    .trimmed());
        }

        public String id(String name) {
            return Sh.ok(List.of("podman", "inspect", "--format", "{{.Id}}", name), TIMEOUT).trimmed();
        }

        public Sh.Result exec(String name, String... cmd) {
            List<String> argv = new ArrayList<>(List.of("podman", "exec", name));
            argv.addAll(List.of(cmd));
            return Sh.run(argv, TIMEOUT);
        }

        protected void remove(String name) {
            Sh.Result r = Sh.run(List.of("podman", "rm", "-f", "-t", "0", name), TIMEOUT);
            if (r.code() != 0 && !r.err().toLowerCase().contains("no such container")) {
                throw new AssertionError("podman rm -f " + name + ": " + r.describe());
            }
        }
    }

    private static final class Lxc extends RuntimeContainers {
        private Path config;

        public String key() {
            return "lxc";
        }

        protected synchronized void create(String name) {
            try {
                if (config == null) {
                    config = Files.createTempFile("pipework-it-lxc", ".conf");
                    Files.writeString(config, "lxc.net.0.type = empty\n");
                }
            } catch (IOException e) {
                throw new AssertionError("cannot write an LXC configuration: " + e.getMessage());
            }
            Sh.ok(List.of("lxc-create", "-n", name, "-t", "busybox", "-f", config.toString()), TIMEOUT);
            Sh.ok(List.of("lxc-start", "-n", name), TIMEOUT);
            Sh.ok(List.of("lxc-wait", "-n", name, "-s", "RUNNING", "-t", "30"), TIMEOUT);
        }

        public int pid(String name) {
            String out = Sh.ok(List.of("lxc-info", "-n", name, "-pH"), TIMEOUT).trimmed();
            if (out.isEmpty()) {
                throw new AssertionError("LXC container " + name + " is not running");
            }
            return Integer.parseInt(out);
        }

        /** LXC has no ID beyond the name. */
        public String id(String name) {
            return name;
        }

        public Sh.Result exec(String name, String... cmd) {
            List<String> argv = new ArrayList<>(List.of("lxc-attach", "-n", name, "--"));
            argv.addAll(List.of(cmd));
            return Sh.run(argv, TIMEOUT);
        }

        protected void remove(String name) {
            Sh.run(List.of("lxc-stop", "-n", name, "-k"), TIMEOUT);
            Sh.Result r = Sh.run(List.of("lxc-destroy", "-n", name), TIMEOUT);
            if (r.code() != 0 && !r.err().contains("doesn't exist") && !r.err().contains("does not exist")) {
                throw new AssertionError("lxc-destroy -n " + name + ": " + r.describe());
            }
        }

        @Override
        public synchronized void close() {
            try {
                super.close();
            } finally {
                try {
                    if (config != null) {
                        Files.deleteIfExists(config);
                    }
                } catch (IOException e) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }
}
