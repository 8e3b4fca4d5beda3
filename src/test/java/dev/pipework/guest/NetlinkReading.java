package dev.pipework.guest;

import dev.pipework.host.SysfsHostInspector;
import dev.pipework.plan.GuestLink;
import dev.pipework.plan.HostLink;
import dev.pipework.exec.ProcessCommandRunner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;

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
        for (String path : paths) {
            out.println("namespace " + path);
            try {
                for (GuestLink link : RouteNetlink.read(path)) {
                    out.println(link);
                }
            } catch (IOException e) {
                out.println("failed " + e.getMessage());
            }
        }
    }
}
