package dev.pipework.watch;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The watcher's actions, a few at once: one lane a container, its actions in the order they were
 * given, the lanes of distinct containers side by side on a fixed set of threads. An action not
 * begun when the watcher stops is dropped; one begun goes on to its end.
 */
final class Lanes implements AutoCloseable {
    /** Threads: while one run holds a bridge's lock, others inspect and read the guests they will plumb. */
    static final int THREADS = 4;

    private final ExecutorService pool;
    private final BooleanSupplier stopping;
    private final java.util.function.Consumer<RuntimeException> failed;
    /** The lanes with an action under way, and what waits behind it. */
    private final Map<String, ArrayDeque<Runnable>> busy = new HashMap<>();

    /**
     * @param stopping whether actions not begun are to be dropped
     * @param failed   what to do with an action's unexpected failure (its lane goes on)
     */
    Lanes(BooleanSupplier stopping, java.util.function.Consumer<RuntimeException> failed) {
        this.stopping = stopping;
        this.failed = failed;
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "pipework-watch");
                    t.setDaemon(true);
                    return t;
                });
        // All at once: the watcher's threads are as many from its start to its end.
        executor.prestartAllCoreThreads();
        this.pool = executor;
    }

    /** Runs {@code action} after the actions given before for the same lane. */
    void submit(String lane, Runnable action) {
        synchronized (busy) {
            ArrayDeque<Runnable> behind = busy.get(lane);
            if (behind != null) {
                behind.add(action);
                return;
            }
            busy.put(lane, new ArrayDeque<>());
        }
        pool.execute(() -> drive(lane, action));
    }

    private void drive(String lane, Runnable first) {
        Runnable action = first;
        while (action != null) {
            if (!stopping.getAsBoolean()) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    failed.accept(e);
                }
            }
            synchronized (busy) {
                action = busy.get(lane).poll();
                if (action == null) {
                    busy.remove(lane);
                    busy.notifyAll();
                }
            }
        }
    }

    /** Waits until no action is under way or waiting. */
    void awaitIdle() {
        synchronized (busy) {
            while (!busy.isEmpty()) {
                try {
                    busy.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Whether an action is under way or waiting. */
    boolean idle() {
        synchronized (busy) {
            return busy.isEmpty();
        }
    }

    /** Waits for the actions under way (those not begun are dropped once stopping), then ends the threads. */
    @Override
    public void close() {
        awaitIdle();
        pool.shutdown();
        try {
            pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
