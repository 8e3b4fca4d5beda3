package dev.pipework.guest;

import dev.pipework.plan.GuestLink;
import dev.pipework.plan.HostLink;

import java.io.IOException;
import java.util.List;

/**
 * Reads a network namespace's links and addresses over rtnetlink from this process: what
 * {@code ip -n <namespace> -d addr show} and {@code ip netns list} print there, as
 * {@link IpGuestInspector} makes its links from them, without starting a program. A socket in
 * another namespace is made by a thread that {@code setns(2)} moves there; the JDK offers netlink
 * sockets and {@code setns} only through its foreign function API (22 and later), so the jar carries
 * that reading in {@code META-INF/versions/22} and a JVM of 22 or later takes it. On this JVM there
 * is none: {@link #available()} is false and {@code ip} reads each namespace.
 */
public final class RouteNetlink {
    private RouteNetlink() {
    }

    /** Whether this JVM reads namespaces over rtnetlink. */
    public static boolean available() {
        return false;
    }

    /** The links of the namespace of this file ({@code /proc/<pid>/ns/net}, a bind mount of one). */
    public static List<GuestLink> read(String netnsPath) throws IOException {
        throw new IOException("reading over rtnetlink needs a JVM of 22 or later");
    }

    /** The links of this thread's namespace as {@code /sys/class/net} shows them there. */
    public static List<HostLink> hostLinks() throws IOException {
        throw new IOException("reading over rtnetlink needs a JVM of 22 or later");
    }
}
