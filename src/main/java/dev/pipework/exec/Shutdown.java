package dev.pipework.exec;

import dev.pipework.model.PipeworkException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * The process's one answer to SIGTERM and SIGINT, which the JVM turns into its shutdown: one hook
 * for the whole process, a policy the front end chooses, and every plan's run registered while it
 * executes, so that the hook knows what is under way.
 *
 * <ul>
 * <li>{@link Policy#UNDO_RUN}, the command line's and the CNI plugin's: the command running is
 * stopped with the processes it started, what the run did is undone, as for a failure, and the
 * process ends with the signal's status (143 for SIGTERM, 130 for SIGINT). For the CNI plugin that
 * is all: the runtime sees that status and no result; an address its IPAM plugin gave may stay
 * allocated until the runtime's DEL, which the specification has a runtime send after an ADD that
 * failed.</li>
 * <li>{@link Policy#FINISH_ACTION}, the watcher's: no run begins after the signal; the one under
 * way goes on to its end (complete, or undone if one of its steps fails, as without a signal); the
 * front end is told to stop, and once it has ended the process exits with 0.</li>
 * </ul>
 */
public final class Shutdown {
    /** What a signal does to the run under way. */
    public enum Policy { UNDO_RUN, FINISH_ACTION }

    /**
     * With {@link Policy#FINISH_ACTION}, how long a front end that runs nothing is waited for after
     * being told to stop; while a run is under way it is waited for (each command has a bound).
     */
    static final long IDLE_GRACE_MILLIS = 20_000;

    private static final Shutdown PROCESS = new Shutdown(Runtime.getRuntime()::halt, true);

    private final IntConsumer halt;
    private final boolean hooksTheJvm;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private Policy policy = Policy.UNDO_RUN;
    private Runnable stopFrontEnd = () -> { };
    private boolean frontEndRunning;
    private boolean signalled;
    private boolean hooked;
    private final Set<Run> runs = new LinkedHashSet<>();

    /**
     * @param halt        ends the process with a status, without running the hooks again
     * @param hooksTheJvm whether it installs itself as the JVM's shutdown hook (only the process's)
     */
    Shutdown(IntConsumer halt, boolean hooksTheJvm) {
        this.halt = halt;
        this.hooksTheJvm = hooksTheJvm;
    }

    /** The coordinator of this process: its signals are the process's. */
    public static Shutdown process() {
        return PROCESS;
    }

    /** A signal undoes the run under way (the default). */
    public void undoRunOnSignal() {
        synchronized (lock) {
            policy = Policy.UNDO_RUN;
            stopFrontEnd = () -> { };
        }
    }

    /**
     * Runs the front end with {@link Policy#FINISH_ACTION}: on a signal, {@code stop} is called (from
     * the hook's thread) and must make {@code frontEnd} return after the action under way.
     *
     * @return what {@code frontEnd} returns, when it ends by itself
     */
    public int finishActionOnSignal(Runnable stop, IntSupplier frontEnd) {
        synchronized (lock) {
            if (signalled) {
                return 0;
            }
            policy = Policy.FINISH_ACTION;
            stopFrontEnd = stop;
            frontEndRunning = true;
            hook();
        }
        try {
            return frontEnd.getAsInt();
        } finally {
            synchronized (lock) {
                frontEndRunning = false;
                lock.notifyAll();
            }
        }
    }

    /** One plan's run, registered while it executes. */
    public final class Run implements AutoCloseable {
        private final Runnable stopAndUndo;

        private Run(Runnable stopAndUndo) {
            this.stopAndUndo = stopAndUndo;
        }

        @Override
        public void close() {
            synchronized (lock) {
                runs.remove(this);
                lock.notifyAll();
            }
        }
    }

    /**
     * Registers a run about to execute; {@code stopAndUndo} is what a signal does to it under
     * {@link Policy#UNDO_RUN}. No run begins once a signal has come.
     *
     * @throws PipeworkException (status 143) after a signal
     */
    public Run begin(Runnable stopAndUndo) {
        synchronized (lock) {
            if (signalled || !hook()) {
                throw new PipeworkException("stopped by a signal", 143);
            }
            Run run = new Run(stopAndUndo);
            runs.add(run);
            return run;
        }
    }

    /** Installs the JVM's hook once; false when the JVM is shutting down already. Holds {@link #lock}. */
    private boolean hook() {
        if (hooked || !hooksTheJvm) {
            return true;
        }
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(this::signal, "pipework-signal"));
            hooked = true;
            return true;
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }

    /**
     * What the JVM's shutdown does: under {@link Policy#UNDO_RUN} each run under way is stopped
     * and undone, and the process ends with the signal's status; under {@link Policy#FINISH_ACTION}
     * the front end is stopped and waited for, then the process exits with 0. A process that ends
     * by itself has nothing under way and keeps its status.
     */
    void signal() {
        Policy p;
        List<Run> under;
        Runnable stop;
        synchronized (lock) {
            signalled = true;
            p = policy;
            under = new ArrayList<>(runs);
            stop = stopFrontEnd;
            if (p == Policy.FINISH_ACTION && !frontEndRunning) {
                return; // it ended by itself: its status is the process's
            }
        }
        if (p == Policy.UNDO_RUN) {
            under.forEach(r -> r.stopAndUndo.run());
            return;
        }
        stop.run();
        awaitFrontEnd();
        System.out.flush();
        System.err.flush();
        halt.accept(0);
    }

    /** Waits for the front end to end: for ever while a run is under way, else for the grace period. */
    private void awaitFrontEnd() {
        long idleSince = System.nanoTime();
        synchronized (lock) {
            while (frontEndRunning) {
                if (!runs.isEmpty()) {
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince > IDLE_GRACE_MILLIS * 1_000_000L) {
                    return;
                }
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
