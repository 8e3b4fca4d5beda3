package dev.pipework.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs external commands as an argv (never through a shell), with a timeout,
 * capturing stdout, stderr and the exit code.
 */
public final class Sh {

    /** Default timeout of {@link #run(String...)} and {@link #ok(String...)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** Exit code reported when the command did not finish within its timeout. */
    public static final int TIMEOUT_CODE = 124;

    /** Exit code reported when the command could not be started at all. */
    public static final int NOT_STARTED_CODE = 127;

    private Sh() {
    }

    /** Outcome of one command. */
    public record Result(int code, String out, String err) {

        public boolean success() {
            return code == 0;
        }

        /** stdout with surrounding whitespace removed. */
        public String trimmed() {
            return out.strip();
        }

        /** stdout and stderr together, for assertion messages. */
        public String describe() {
            return "exit " + code + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }

        /** Throws an AssertionError naming the command when the exit code is not 0. */
        public Result assertOk(String what) {
            if (code != 0) {
                throw new AssertionError(what + " failed: " + describe());
            }
            return this;
        }
    }

    public static Result run(String... argv) {
        return run(Arrays.asList(argv), DEFAULT_TIMEOUT);
    }

    public static Result run(List<String> argv, Duration timeout) {
        return run(argv, timeout, null);
    }

    /**
     * Runs {@code argv}; {@code stdin} (may be null) is written to the
     * command's standard input, which is otherwise empty.
     */
    public static Result run(List<String> argv, Duration timeout, String stdin) {
        return run(argv, timeout, stdin, Map.of());
    }

    /**
     * Runs {@code argv} with {@code env} added to (or, for null values,
     * removed from) this JVM's environment.
     */
    public static Result run(List<String> argv, Duration timeout, String stdin, Map<String, String> env) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        ProcessBuilder pb = new ProcessBuilder(List.copyOf(argv));
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        // A child that reads stdin must see EOF, never block on the test's stdin.
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(NOT_STARTED_CODE, "", "cannot start " + argv.get(0) + ": " + e.getMessage());
        }
        Drain out = new Drain(p.getInputStream());
        Drain err = new Drain(p.getErrorStream());
        out.start();
        err.start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // The command exited without reading all of its input.
            }
        }
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyTree(p);
            throw new AssertionError("interrupted while running " + argv, e);
        }
        if (!finished) {
            destroyTree(p);
        }
        String o = out.text();
        String e = err.text();
        if (!finished) {
            return new Result(TIMEOUT_CODE, o, e + "\n[timed out after " + timeout.toSeconds() + "s: " + String.join(" ", argv) + "]");
        }
        return new Result(p.exitValue(), o, e);
    }

    /** Like {@link #run(String...)} but throws an AssertionError with the output when exit != 0. */
    public static Result ok(String... argv) {
        return ok(Arrays.asList(argv), DEFAULT_TIMEOUT);
    }

    public static Result ok(List<String> argv, Duration timeout) {
        Result r = run(argv, timeout);
        if (r.code() != 0) {
            throw new AssertionError("command failed: " + String.join(" ", argv) + "\n" + r.describe());
        }
        return r;
    }

    /** The lines of {@code text} that are not blank, e.g. of a command's stdout. */
    public static List<String> lines(String text) {
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    /** True when {@code name} is an executable found on PATH (or an executable path). */
    public static boolean onPath(String name) {
        if (name.contains("/")) {
            return new java.io.File(name).canExecute();
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && new java.io.File(dir, name).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static void destroyTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads a stream fully on its own thread so a chatty child never blocks on a full pipe. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private volatile IOException failure;

        Drain(InputStream in) {
            this.in = in;
            setDaemon(true);
        }

        @Override
        public void run() {
            try (in) {
                in.transferTo(buf);
            } catch (IOException e) {
                failure = e;
            }
        }

        String text() {
            try {
                // A grandchild that inherited the pipe may keep it open; don't wait forever.
                join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String text = buf.toString(StandardCharsets.UTF_8);
            return failure == null ? text : text + "\n[read error: " + failure.getMessage() + "]";
        }
    }
}
