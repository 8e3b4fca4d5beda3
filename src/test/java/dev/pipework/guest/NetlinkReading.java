package dev.pipework.guest;

import dev.pipework.host.SysfsHostInspector;
import dev.pipework.plan.GuestLink;
import dev.pipework.plan.HostLink;
import dev.pipework.exec.ProcessCommandRunner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Prints each namespace's links as the guest reader makes them from rtnetlink, one per line, for
 * RouteNetlinkIT, which runs this on a JVM of 22 or later against the jar (its
 * {@code META-INF/versions/22}) and compares with what {@code ip} shows; with {@code --host}, the
 * links of its own namespace over rtnetlink and from {@code /sys/class/net}.
 */
public final class NetlinkReading {
    private NetlinkReading() {
    }

    public static void main(String[] paths) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("available " + RouteNetlink.available());
        if (paths.length == 1 && paths[0].equals("--host")) {
            // This process's namespace: its links over rtnetlink, then as sysfs shows them.
            RouteNetlink.hostLinks().stream().sorted(Comparator.comparingInt(HostLink::index))
                    .forEach(l -> out.println("netlink " + l));
            new SysfsHostInspector(Path.of("/sys/class/net"), Path.of("/sys/module"), new ProcessCommandRunner())
                    .links().values().stream().sorted(Comparator.comparingInt(HostLink::index))
                    .forEach(l -> out.println("sysfs " + l));
            return;
        }
        List<String> first = new ArrayList<>();
        int readings = 0;
        int started = 0;
        for (String path : paths) {
            first.add("namespace " + path);
            try {
                for (GuestLink link : RouteNetlink.read(path)) {
                    first.add(link.toString());
                }
            } catch (IOException e) {
                first.add("failed " + e.getMessage());
            }
            readings++;
            started = Math.max(started, readingThreadsStarted());
        }
        first.forEach(out::println);
        // Read again at once, by the threads that came back from the first readings.
        List<String> again = new ArrayList<>();
        for (String path : paths) {
            again.add("namespace " + path);
            try {
                RouteNetlink.read(path).forEach(link -> again.add(link.toString()));
            } catch (IOException e) {
                again.add("failed " + e.getMessage());
            }
            readings++;
            started = Math.max(started, readingThreadsStarted());
        }
        out.println("read again: " + (again.equals(first) ? "the same" : "different: " + again));
        out.println("threads in another namespace: " + threadsElsewhere());
        out.println("readings " + readings + ", reading threads started " + started);
    }

    /** The number in the name of the newest reading thread alive ({@code rtnetlink-<n>}, n from 1). */
    static int readingThreadsStarted() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.matches("rtnetlink-[0-9]+")).mapToInt(n -> Integer.parseInt(n.substring(10)))
                .max().orElse(0);
    }

    /** This process's threads whose network namespace is not the main thread's (the host's). */
    static List<String> threadsElsewhere() throws IOException {
        Object host = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
        List<String> elsewhere = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.getAttribute(task.resolve("ns/net"), "unix:ino").equals(host)) {
                        elsewhere.add(Files.readString(task.resolve("comm")).strip());
                    }
                } catch (IOException ended) {
                    // the thread ended meanwhile
                }
            }
        }
        return elsewhere;
    }
}
