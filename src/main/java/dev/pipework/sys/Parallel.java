package dev.pipework.sys;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * One question asked of many things at once, for the readings whose time is a child process's or
 * an engine's round trip rather than this process's CPU (a guest's links, a container's inspect):
 * a few threads, the answers in the order of the questions.
 */
public final class Parallel {
    /** Threads at most: enough to keep two cores busy while the others wait on a process or a socket. */
    public static final int THREADS = 6;

    private Parallel() {
    }

    /**
     * {@code read} of each item, in their order. A failure of one is thrown as it was once every
     * read has ended (the first in order, for an unchecked exception).
     */
    public static <T, R> List<R> map(List<T> items, Function<T, R> read) {
        if (items.size() < 2) {
            return items.stream().map(read).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(THREADS, items.size()), r -> {
            Thread t = new Thread(r, "pipework-read");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> read.apply(item)));
            }
            List<R> results = new ArrayList<>();
            RuntimeException failed = null;
            for (Future<R> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (failed == null) {
                        failed = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                    }
                    results.add(null);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            if (failed != null) {
                throw failed;
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
