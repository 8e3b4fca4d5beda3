package dev.pipework.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JVM settings the launcher ({@code scripts/pipework}) runs the tool with, for the tests that
 * run the jar directly: the launcher's options for a short-lived command, and a start-up cache
 * (an AppCDS archive) made once per test JVM by the tool's own training run, as the launcher makes
 * its caches. The tool's output is the same with or without them (the cache's messages are
 * silenced as the launcher silences them); they only take a few hundred milliseconds off each of
 * the suite's runs of the tool. {@code -Dpipework.it.startupCache=off} runs the jar without a cache.
 */
final class StartupCache {
    /** The launcher's options for a short-lived command. */
    static final List<String> LAUNCHER_OPTIONS =
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-XX:-UsePerfData");
    private static final String QUIET = "-Xlog:cds*=off,class+path=off";
    private static List<String> options;

    private StartupCache() {
    }

    /** The options that run the jar as the launcher does; the cache is made on the first call. */
    static synchronized List<String> options(String java, Path jar) {
        if (options == null) {
            List<String> all = new ArrayList<>(LAUNCHER_OPTIONS);
            if (!"off".equals(System.getProperty("pipework.it.startupCache"))) {
                Path cache = jar.resolveSibling("it-startup").resolve("commands.jsa");
                if (fresh(cache, jar) || make(java, jar, cache)) {
                    all.add("-XX:SharedArchiveFile=" + cache);
                    all.add(QUIET);
                }
            }
            options = List.copyOf(all);
        }
        return options;
    }

    private static boolean fresh(Path cache, Path jar) {
        try {
            return Files.size(cache) > 0
                    && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The training run of the launcher's "commands" cache, in network and mount namespaces of its
     * own with their own /sys (what it plumbs goes with them), then kept only when a JVM maps it.
     */
    private static boolean make(String java, Path jar, Path cache) {
        try {
            Files.createDirectories(cache.getParent());
            Path scratch = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(scratch);
            List<String> argv = new ArrayList<>(List.of("unshare", "--net", "--mount", "sh", "-c",
                    "mount -t sysfs sysfs /sys && exec \"$@\"", "sh", java));
            argv.addAll(LAUNCHER_OPTIONS);
            argv.addAll(List.of("-XX:ArchiveClassesAtExit=" + scratch, QUIET, "-jar", jar.toString()));
            Map<String, String> env = new HashMap<>();
            env.put("PIPEWORK_TRAINING", "commands,private");
            env.put("CNI_COMMAND", null);
            Sh.run(argv, Duration.ofSeconds(120), null, env);
            List<String> check = new ArrayList<>(List.of(java));
            check.addAll(LAUNCHER_OPTIONS);
            check.addAll(List.of("-XX:SharedArchiveFile=" + scratch, "-Xshare:on", QUIET, "-cp", jar.toString(),
                    "-version"));
            if (Files.isRegularFile(scratch) && Files.size(scratch) > 0
                    && Sh.run(check, Duration.ofSeconds(60)).code() == 0) {
                Files.move(scratch, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return true;
            }
            Files.deleteIfExists(scratch);
            System.err.println("tests: no start-up cache for the tool (its training run made none): runs go without");
            return false;
        } catch (IOException e) {
            System.err.println("tests: no start-up cache for the tool: " + e);
            return false;
        }
    }
}
