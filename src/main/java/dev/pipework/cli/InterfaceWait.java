package dev.pipework.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --wait}: run inside a container, returns once the interface exists, has carrier and is
 * administratively up. The original stops at carrier alone, which a link that is down can still
 * report on some drivers.
 */
final class InterfaceWait {
    private static final int IFF_UP = 0x1;
    private static final long POLL_MILLIS = 100;

    private final Path sysClassNet;
    private final PrintStream err;

    InterfaceWait(Path sysClassNet, PrintStream err) {
        this.sysClassNet = sysClassNet;
        this.err = err;
    }

    int await(String name, Double timeoutSeconds) {
        long budget = timeoutSeconds == null ? Long.MAX_VALUE : nanos(timeoutSeconds);
        long start = System.nanoTime();
        while (!ready(name)) {
            // Elapsed time against the budget: a start plus a budget of centuries would overflow.
            if (System.nanoTime() - start >= budget) {
                err.println("pipework: interface \"" + name + "\" is not up after " + timeoutSeconds + " s");
                return 1;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        return 0;
    }

    /** Seconds as nanoseconds, saturated: a timeout beyond what a long holds (1e10, infinity) is no timeout. */
    static long nanos(double seconds) {
        if (!(seconds > 0)) {
            return 0;
        }
        double nanos = seconds * 1e9;
        return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nanos;
    }

    private boolean ready(String name) {
        Path dir = sysClassNet.resolve(name);
        try {
            // Reading carrier fails with EINVAL while the link is down.
            String carrier = Files.readString(dir.resolve("carrier")).trim();
            int flags = Integer.decode(Files.readString(dir.resolve("flags")).trim());
            return carrier.equals("1") && (flags & IFF_UP) != 0;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
