package dev.pipework.it.support;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something the kernel, a daemon or a child process does in its own time: asks
 * again every {@code interval} until the answer comes or {@code timeout} has passed. The
 * question is asked at least once, the last time when the timeout is up, never after.
 */
public final class Poll {

    /** The interval of most waits: short next to their timeouts, long next to one question. */
    public static final Duration TICK = Duration.ofMillis(100);

    private Poll() {
    }

    /**
     * The first value {@code probe} gives within {@code timeout}; fails naming {@code what}
     * (e.g. "eth1 in the container") when none comes.
     */
    public static <T> T until(Duration timeout, Duration interval, Supplier<Optional<T>> probe, String what) {
        return ask(timeout, interval, probe).orElseThrow(() -> new AssertionError(
                "gave up after " + timeout.toMillis() + " ms waiting for " + what));
    }

    /** Whether {@code condition} comes to hold within {@code timeout}; for callers that assert on the answer. */
    public static boolean within(Duration timeout, Duration interval, BooleanSupplier condition) {
        return ask(timeout, interval, asProbe(condition)).isPresent();
    }

    private static Supplier<Optional<Boolean>> asProbe(BooleanSupplier condition) {
        return () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty();
    }

    private static <T> Optional<T> ask(Duration timeout, Duration interval, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> answer = probe.get();
            long left = deadline - System.nanoTime();
            if (answer.isPresent() || left <= 0) {
                return answer;
            }
            try {
                Thread.sleep(Math.min(interval.toMillis(), (left + 999_999) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }
}
