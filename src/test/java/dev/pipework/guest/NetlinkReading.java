package dev.pipework.guest;

import dev.pipework.plan.GuestLink;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Prints each namespace's links as the guest reader makes them from rtnetlink, one per line, for
 * RouteNetlinkIT, which runs this on a JVM of 22 or later against the jar (its
 * {@code META-INF/versions/22}) and compares with what {@code ip} shows.
 */
public final class NetlinkReading {
    private NetlinkReading() {
    }

    public static void main(String[] paths) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("available " + RouteNetlink.available());
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
