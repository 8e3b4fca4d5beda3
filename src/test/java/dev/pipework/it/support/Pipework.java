package dev.pipework.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs the built tool end to end, exactly as a user would:
 * {@code java -jar target/pipework.jar ARGS...}, with the java of this JVM and the launcher's JVM
 * settings ({@link StartupCache}).
 * Failsafe passes the jar's path as system property {@code pipework.jar}.
 */
public final class Pipework {

    /** Generous: DHCP and OVS operations inside the tool may wait on their own timeouts. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private Pipework() {
    }

    public static Sh.Result run(String... args) {
        return run(Arrays.asList(args), DEFAULT_TIMEOUT);
    }

    public static Sh.Result run(List<String> args, Duration timeout) {
        return run(args, timeout, Map.of());
    }

    /** Runs the tool with extra environment variables (null value = unset). */
    public static Sh.Result run(List<String> args, Duration timeout, Map<String, String> env) {
        return Sh.run(command(args), timeout, null, env);
    }

    /** Runs the tool and throws an AssertionError with its output when it exits non-zero. */
    public static Sh.Result ok(String... args) {
        Sh.Result r = run(args);
        if (r.code() != 0) {
            throw new AssertionError("pipework " + String.join(" ", args) + " failed: " + r.describe());
        }
        return r;
    }

    /** The full argv that runs the tool with {@code args}. */
    public static List<String> command(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(java());
        argv.addAll(StartupCache.options(java(), jar()));
        argv.add("-jar");
        argv.add(jar().toString());
        argv.addAll(args);
        return argv;
    }

    /** The built jar; fails clearly when the tests run without it (e.g. from an IDE without packaging). */
    public static Path jar() {
        String prop = System.getProperty("pipework.jar");
        Path jar = prop != null ? Path.of(prop) : Path.of("target", "pipework.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("built jar not found at " + jar.toAbsolutePath()
                    + " (run the integration tests with 'mvn verify', which packages it first)");
        }
        return jar.toAbsolutePath();
    }

    /** The test-fixtures directory (system property {@code pipework.fixtures}). */
    public static Path fixtures() {
        String prop = System.getProperty("pipework.fixtures");
        return (prop != null ? Path.of(prop) : Path.of("test-fixtures")).toAbsolutePath();
    }

    /** The java launcher of the running JVM. */
    public static String java() {
        Path p = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(p)) {
            return p.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }
}
