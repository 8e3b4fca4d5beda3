package dev.pipework.exec;


import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.Invocation;
import dev.pipework.sys.RunningProcess;
import dev.pipework.sys.ShellWords;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands with {@link ProcessBuilder}; {@code -v} logs each one and its result.
 *
 * <p>No command may run for ever: one still running after its bound (60 s unless said otherwise)
 * is stopped with the processes it started, and its result is a failure (exit status 124, as
 * {@code timeout(1)} gives) that says so. A lock this run holds is then not held for ever either.
 */
public final class ProcessCommandRunner implements CommandRunner {
    /** How long a command may run unless its caller gives it a bound of its own. */
    public static final Duration DEFAULT_BOUND = Duration.ofSeconds(60);
    /** The exit status of a command stopped at its bound. */
    public static final int TIMED_OUT = CommandResult.TIMED_OUT;

    /** After a command has ended or been stopped, how long its output is still waited for. */
    private static final long DRAIN_GRACE_MILLIS = 2_000;

    private final Duration bound;

    public ProcessCommandRunner() {
        this(DEFAULT_BOUND);
    }

    public ProcessCommandRunner(Duration bound) {
        this.bound = bound;
    }

    @Override
    public CommandResult run(List<String> argv) {
        return run(Invocation.of(argv));
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
        return run(Invocation.of(argv).withStdin(stdin));
    }

    @Override
    public CommandResult run(List<String> argv, String stdin, Duration limit) {
        return run(Invocation.of(argv).withStdin(stdin).withBound(limit));
    }

    @Override
    public CommandResult run(Invocation invocation) {
        List<String> argv = invocation.argv();
        String stdin = invocation.stdin().orElse(null);
        log(invocation);
        if (stdin != null && CommandLog.enabled()) {
            stdin.lines().forEach(line -> CommandLog.debug("  < {}", line));
        }
        ProcessBuilder builder = builder(invocation);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            CommandResult result = new CommandResult(127, "", argv.get(0) + ": " + e.getMessage());
            CommandLog.debug("  cannot start: {}", e.getMessage());
            return result;
        }
        running.add(process);
        try {
            return await(process, argv, stdin, invocation.bound().orElse(bound));
        } finally {
            running.remove(process);
        }
    }

    @Override
    public RunningProcess start(Invocation invocation) {
        log(invocation);
        ProcessBuilder builder = builder(invocation)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            CommandLog.debug("  cannot start: {}", e.getMessage());
            throw new java.io.UncheckedIOException(invocation.argv().get(0) + ": " + e.getMessage(), e);
        }
        running.add(process);
        Duration limit = invocation.bound().orElse(bound);
        invocation.stdin().ifPresent(text -> daemon("stdin", () -> feed(process, text)));
        daemon("bound", () -> {
            try {
                if (!process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                    CommandLog.debug("  {}", timedOut(invocation.argv(), limit));
                    stop(process);
                }
            } catch (InterruptedException e) {
                stop(process);
            } finally {
                running.remove(process);
            }
        });
        CommandLog.debug("  started: pid {}", process.pid());
        return new RunningProcess() {
            public long pid() {
                return process.pid();
            }

            public boolean alive() {
                return process.isAlive();
            }

            public void close() {
                stop(process);
                running.remove(process);
            }
        };
    }

    /** The {@code -v} line: the variables it is given, then the command, as a shell would take them. */
    private static void log(Invocation invocation) {
        if (!CommandLog.enabled()) {
            return;
        }
        List<String> words = new java.util.ArrayList<>();
        invocation.env().forEach((k, v) -> words.add(k + "=" + v));
        words.addAll(invocation.argv());
        CommandLog.debug("run: {}", ShellWords.join(words));
    }

    private static ProcessBuilder builder(Invocation invocation) {
        ProcessBuilder builder = new ProcessBuilder(invocation.argv());
        builder.environment().putAll(invocation.env());
        if (invocation.stdin().isEmpty()) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        return builder;
    }

    private static void feed(Process process, String stdin) {
        feed(process, stdin.getBytes(StandardCharsets.UTF_8));
    }

    /** Linux's PIPE_BUF: a write of at most this many bytes into an empty pipe does not wait. */
    private static final int PIPE_BUF = 4096;

    private static void feed(Process process, byte[] stdin) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // the command ended without reading all of its input
        }
    }

    private CommandResult await(Process process, List<String> argv, String stdin, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        // Input and both outputs each on a thread of their own: no pipe can fill up and block the
        // child, and a child that neither reads nor ends cannot block this run past its bound. An
        // input of at most PIPE_BUF bytes goes into the empty pipe at once, whatever the child does
        // (a pipe holds at least one page even when the user's pipe quota is spent): no thread.
        if (stdin != null) {
            byte[] input = stdin.getBytes(StandardCharsets.UTF_8);
            if (input.length <= PIPE_BUF) {
                feed(process, input);
            } else {
                daemon("stdin", () -> feed(process, input));
            }
        }
        Drain stdout = new Drain(process.getInputStream());
        Drain stderr = new Drain(process.getErrorStream());
        try {
            boolean ended = process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!ended) {
                stop(process);
                String said = stderr.text(DRAIN_GRACE_MILLIS).strip();
                String reason = timedOut(argv, limit) + (said.isEmpty() ? "" : " (it said: " + lastLine(said) + ")");
                CommandLog.debug("  {}", reason);
                return new CommandResult(TIMED_OUT, stdout.text(DRAIN_GRACE_MILLIS), reason, true);
            }
            // A process it left behind may keep the pipes open: what it wrote by the bound is kept.
            long left = Math.max(DRAIN_GRACE_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            CommandResult result = new CommandResult(process.exitValue(), stdout.text(left), stderr.text(left));
            if (CommandLog.enabled()) {
                CommandLog.debug("  exit {}{}", result.exitStatus(), result.stderr().isBlank() ? "" : ": " + result.stderr().strip());
            }
            return result;
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            return new CommandResult(130, "", "interrupted");
        }
    }

    /** The commands running now, so that a signal can stop them. */
    private final java.util.Set<Process> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Stops the commands running when it is called, and only those: the set's own iteration would
     * also reach a command started while it goes on (each stop waits for its command to end, and the
     * run that command belonged to goes on at once to its undo, whose first command would be stopped).
     */
    @Override
    public void stopRunning() {
        List.copyOf(running).forEach(ProcessCommandRunner::stop);
    }

    /** How many commands run now (the test of {@link #stopRunning}). */
    int commandsRunning() {
        return running.size();
    }

    @Override
    public int runDiscardingOutput(List<String> argv) {
        CommandLog.debug("run: {}", ShellWords.join(argv));
        try {
            Process process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(bound.toNanos(), TimeUnit.NANOSECONDS)) {
                stop(process);
                CommandLog.debug("  {}", timedOut(argv, bound));
                return TIMED_OUT;
            }
            int status = process.exitValue();
            CommandLog.debug("  exit {}", status);
            return status;
        } catch (IOException e) {
            CommandLog.debug("  cannot start: {}", e.getMessage());
            return 127;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static String timedOut(List<String> argv, Duration limit) {
        return argv.get(0) + " did not finish within " + seconds(limit) + " and was stopped";
    }

    private static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }

    private static String lastLine(String text) {
        int nl = text.lastIndexOf('\n');
        return nl < 0 ? text : text.substring(nl + 1);
    }

    /**
     * Kills the command and every process under it. Each round takes the tree first, as killing a
     * parent orphans its children (they then leave the tree); the command itself goes last, so that
     * what it forks meanwhile is still under it for the next round.
     */
    private static void stop(Process process) {
        for (int round = 0; round < 10; round++) {
            List<ProcessHandle> descendants = process.descendants().toList();
            if (descendants.isEmpty()) {
                break;
            }
            descendants.forEach(ProcessHandle::destroyForcibly);
        }
        process.destroyForcibly();
        try {
            process.waitFor(DRAIN_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sets up, on a thread of its own, what the JDK's first process start sets up once the process
     * is started, on a JDK newer than 20 (25's {@code ProcessBuilder} logs its starts, 17's does
     * not), and its exit too ({@code Runtime.exit} asks its logger whether it logs): the logger
     * finder, looked up as a service over the class path (the jar opened and its directory read:
     * about 5 ms in the interpreter, on a run's critical path where its first process comes soon
     * after {@code main}). Asked first thing in {@code main}, for every front end. The finder alone:
     * a logger asked for by this code, not the JDK's, would start {@code java.util.logging} on a JDK
     * that has it, which no run uses.
     */
    public static void prepareLogger() {
        if (Runtime.version().feature() >= 21) {
            daemon("logger", System.LoggerFinder::getLoggerFinder);
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, "pipework-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads a stream to its end on a thread of its own; what was read is available at any time. */
    private static final class Drain {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream stream) {
            thread = new Thread(() -> {
                byte[] chunk = new byte[8192];
                try (stream) {
                    int n;
                    while ((n = stream.read(chunk)) >= 0) {
                        synchronized (buffer) {
                            buffer.write(chunk, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the stream was closed under us: what was read stays
                }
            }, "pipework-drain");
            thread.setDaemon(true);
            thread.start();
        }

        /** What was read once the stream ended, or when {@code millis} have passed. */
        String text(long millis) {
            try {
                thread.join(Math.max(1, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
