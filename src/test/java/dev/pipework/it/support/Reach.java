package dev.pipework.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Ping checks for "must reach" and "must not reach". A positive check retries
 * for a few seconds: the first packets to a new neighbour can be lost while
 * ARP resolves, and the Open vSwitch userspace datapath may need about a
 * second to set up flows for a new port. A negative check is one short
 * attempt, which is enough once the positive checks have warmed the path.
 */
public final class Reach {

    /** How long a positive check keeps trying. */
    public static final Duration PATIENCE = Duration.ofSeconds(8);

    private Reach() {
    }

    /** One echo request from container {@code from} to {@code ip}, one second to answer. */
    public static boolean once(Guest from, String ip) {
        return from.exec("ping", "-c", "1", "-W", "1", ip).code() == 0;
    }

    /** Whether container {@code from} gets an echo reply from {@code ip} within {@link #PATIENCE}. */
    public static boolean eventually(Guest from, String ip) {
        return retry(() -> once(from, ip));
    }

    /** One echo request from named namespace {@code ns} to {@code ip}. */
    public static boolean onceFromNetns(String ns, String ip) {
        return Sh.run("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", ip).code() == 0;
    }

    /** Whether named namespace {@code ns} gets an echo reply from {@code ip} within {@link #PATIENCE}. */
    public static boolean eventuallyFromNetns(String ns, String ip) {
        return retry(() -> onceFromNetns(ns, ip));
    }

    /** One echo request sent from the network namespace of process {@code pid}. */
    public static boolean onceFromPid(long pid, String ip) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=/proc/" + pid + "/ns/net",
                "ping", "-c", "1", "-W", "1", ip));
        return Sh.run(argv, Sh.DEFAULT_TIMEOUT).code() == 0;
    }

    /** Whether the namespace of process {@code pid} gets an echo reply from {@code ip} within {@link #PATIENCE}. */
    public static boolean eventuallyFromPid(long pid, String ip) {
        return retry(() -> onceFromPid(pid, ip));
    }

    private static boolean retry(BooleanSupplier attempt) {
        return Poll.within(PATIENCE, Duration.ofMillis(200), attempt);
    }
}
