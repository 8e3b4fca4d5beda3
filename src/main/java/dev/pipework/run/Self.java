package dev.pipework.run;

import java.util.ArrayList;
import java.util.List;

/** The command that runs this very pipework again: its Java, its class path, its entry point. */
final class Self {
    private Self() {
    }

    static List<String> command() {
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java");
        // The lease keeper it starts runs for months with a live set of a few MiB: left to itself the
        // JVM would size the heap from the machine's memory, and the resident memory would grow as
        // the young generation is first filled (scripts/bench --soak measured the watcher's so).
        List<String> argv = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", absolute(System.getProperty("java.class.path")), "dev.pipework.cli.Main"));
        return argv;
    }

    private static String absolute(String classPath) {
        StringBuilder b = new StringBuilder();
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (b.length() > 0) {
                b.append(java.io.File.pathSeparatorChar);
            }
            b.append(java.nio.file.Path.of(entry).toAbsolutePath());
        }
        return b.toString();
    }
}
