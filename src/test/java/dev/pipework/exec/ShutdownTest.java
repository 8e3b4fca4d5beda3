package dev.pipework.exec;

import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Plan;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A signal while a plan's step runs (the JVM's shutdown, called here directly): the command line's
 * policy stops the command and undoes the run; the watcher's lets the run finish, refuses the next,
 * and exits 0 once the front end has ended.
 */
class ShutdownTest {
    private static final long SECONDS = 10;

    /**
     * Holds the command {@code held} picks (the veth's creation, the plan's second step, unless
     * told otherwise) until released or stopped; a stopped one ends as a killed process does.
     */
    static class HeldRunner implements CommandRunner {
        final List<List<String>> ran = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean stopped = new AtomicBoolean();
        private final Predicate<List<String>> held;

        HeldRunner() {
            this(ShutdownTest::createsTheVeth);
        }

        HeldRunner(Predicate<List<String>> held) {
            this.held = held;
        }

        @Override
        public CommandResult run(List<String> argv) {
            ran.add(argv);
            if (held.test(argv)) {
                holding.countDown();
                try {
                    release.await(SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (stopped.get()) {
                    return new CommandResult(143, "", "Terminated");
                }
            }
            return new CommandResult(0, "", "");
        }

        @Override
        public CommandResult run(List<String> argv, String stdin) {
            return run(argv);
        }

        @Override
        public void stopRunning() {
            stopped.set(true);
            release.countDown();
        }

        boolean ranUndo() {
            synchronized (ran) {
                return ran.stream().anyMatch(c -> c.contains("del") || c.contains("del-br"));
            }
        }
    }

    static boolean createsTheVeth(List<String> argv) {
        return argv.contains("veth") && argv.contains("add");
    }

    private static final class Halt {
        final AtomicInteger status = new AtomicInteger(-1);

        void halt(int s) {
            status.set(s);
        }
    }

    /** The full plan run by {@code executor} on a thread of its own, started; what it throws goes to {@code thrown}. */
    private static Thread runInBackground(Executor executor, AtomicReference<Throwable> thrown) {
        Thread run = new Thread(() -> {
            try {
                executor.execute(ExecutorTest.fullPlan());
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        run.start();
        return run;
    }

    /** What {@code action} writes to {@code System.err}, the hook's lines. */
    private static String stderrOf(ThrowingRunnable action) throws Exception {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(err);
        }
        return said.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void theCommandLinesPolicyStopsTheCommandAndUndoesTheRun() throws Exception {
        Halt halt = new Halt();
        Shutdown shutdown = new Shutdown(halt::halt, false);
        shutdown.undoRunOnSignal();
        HeldRunner runner = new HeldRunner();
        Executor executor = new Executor(runner, ContainerActions.NONE, shutdown);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread run = runInBackground(executor, thrown);
        assertTrue(runner.holding.await(SECONDS, TimeUnit.SECONDS));
        shutdown.signal();
        run.join(TimeUnit.SECONDS.toMillis(SECONDS));
        assertFalse(run.isAlive());
        assertTrue(runner.stopped.get(), "the command running was not stopped");
        PipeworkException e = (PipeworkException) thrown.get();
        assertEquals(143, e.exitStatus());
        assertEquals("stopped by a signal", e.getMessage());
        assertEquals(ExecutorTest.fullPlan().steps().get(0).undo().orElseThrow().argv(),
                runner.ran.get(runner.ran.size() - 1), "the bridge the run made is not undone: " + runner.ran);
        assertEquals(-1, halt.status.get(), "the command line's status is the signal's, not one it sets");
        assertThrows(PipeworkException.class, () -> executor.execute(ExecutorTest.fullPlan()),
                "a run began after the signal");
    }

    /**
     * The undo that the stopped command's failure runs (on the run's thread, before the hook's turn)
     * fails: the hook's lines say what is left behind, as they do where the hook undoes the run.
     */
    @Test
    void whatTheUndoCouldNotUndoIsSaidWhoeverUndidIt() throws Exception {
        Shutdown shutdown = new Shutdown(new Halt()::halt, false);
        shutdown.undoRunOnSignal();
        HeldRunner runner = new HeldRunner() {
            @Override
            public CommandResult run(List<String> argv) {
                CommandResult result = super.run(argv);
                return argv.contains("del-br") ? new CommandResult(1, "", "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed") : result;
            }
        };
        Executor executor = new Executor(runner, ContainerActions.NONE, shutdown);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread run = runInBackground(executor, thrown);
        assertTrue(runner.holding.await(SECONDS, TimeUnit.SECONDS));
        String lines = stderrOf(shutdown::signal);
        run.join(TimeUnit.SECONDS.toMillis(SECONDS));
        assertFalse(run.isAlive());
        assertEquals("stopped by a signal", thrown.get().getMessage());
        assertTrue(runner.ranUndo(), "nothing was undone: " + runner.ran);
        assertTrue(lines.startsWith("pipework: stopped by a signal; what this run did was undone"), lines);
        assertTrue(lines.contains("and failed to undo") && lines.contains("database connection failed")
                && lines.contains("left behind; remove by hand: ovs-vsctl"), lines);
    }

    /**
     * The signal stops the guest's {@code ip -batch}, which then names no line it failed at: the run
     * says it was stopped, as where a single command is stopped, not that one of the batch's steps
     * failed; the hook's lines follow.
     */
    @Test
    void aBatchStoppedBySignalIsTheSignalsStopNotAFailureOfItsSteps() throws Exception {
        Shutdown shutdown = new Shutdown(new Halt()::halt, false);
        shutdown.undoRunOnSignal();
        HeldRunner runner = new HeldRunner(argv -> argv.contains("-batch") && argv.contains("-4"));
        Executor executor = new Executor(runner, ContainerActions.NONE, shutdown);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread run = runInBackground(executor, thrown);
        assertTrue(runner.holding.await(SECONDS, TimeUnit.SECONDS), "the guest's batch did not run: " + runner.ran);
        String lines = stderrOf(shutdown::signal);
        run.join(TimeUnit.SECONDS.toMillis(SECONDS));
        assertFalse(run.isAlive());
        assertEquals("stopped by a signal", thrown.get().getMessage());
        assertEquals(143, ((PipeworkException) thrown.get()).exitStatus());
        // The batch's steps, which may or may not have run, undone where that is harmless: the old default route back.
        assertTrue(runner.ran.contains(List.of("nsenter", "--net=/proc/42/ns/net", "ip", "-4", "route", "replace", "default",
                "via", "172.17.0.1", "dev", "eth0")), "the batch's steps were not undone: " + runner.ran);
        assertEquals(ExecutorTest.fullPlan().steps().get(0).undo().orElseThrow().argv(), runner.ran.get(runner.ran.size() - 1),
                "the bridge the run made is not undone: " + runner.ran);
        assertEquals("pipework: stopped by a signal; what this run did was undone\n", lines);
    }

    /**
     * A signal while a failed run is being undone stops none of the undo's commands (one stopped
     * would leave its step's change behind): the undo runs to its end, and the hook waits for it;
     * the run's failure is the step's.
     * The veth's creation fails; the undo of the bridge before it is held until released.
     */
    @Test
    void aSignalDuringTheUndoOfAFailedRunLetsTheUndoFinish() throws Exception {
        Shutdown shutdown = new Shutdown(new Halt()::halt, false);
        shutdown.undoRunOnSignal();
        HeldRunner runner = new HeldRunner(argv -> argv.contains("del-br")) {
            @Override
            public CommandResult run(List<String> argv) {
                CommandResult result = super.run(argv);
                return createsTheVeth(argv) ? new CommandResult(2, "", "RTNETLINK answers: File exists") : result;
            }
        };
        Executor executor = new Executor(runner, ContainerActions.NONE, shutdown);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread run = runInBackground(executor, thrown);
        assertTrue(runner.holding.await(SECONDS, TimeUnit.SECONDS), "the undo did not begin: " + runner.ran);
        String lines = stderrOf(() -> {
            Thread hook = new Thread(shutdown::signal);
            hook.start();
            // The hook has made its choice once it waits for the run's turn.
            for (int i = 0; i < 500 && hook.getState() != Thread.State.BLOCKED && hook.isAlive(); i++) {
                Thread.sleep(10);
            }
            assertEquals(Thread.State.BLOCKED, hook.getState(), "the hook never waited for the run's turn");
            assertFalse(runner.stopped.get(), "the signal stopped the undo's command");
            runner.release.countDown();
            hook.join(TimeUnit.SECONDS.toMillis(SECONDS));
            assertFalse(hook.isAlive());
        });
        run.join(TimeUnit.SECONDS.toMillis(SECONDS));
        assertFalse(run.isAlive());
        // The run's own failure, which came first; the signal's line after it.
        assertEquals("failed to create veth pair \"veth1pl42\"/\"veth1pg42\": RTNETLINK answers: File exists",
                thrown.get().getMessage());
        assertEquals(ExecutorTest.fullPlan().steps().get(0).undo().orElseThrow().argv(), runner.ran.get(runner.ran.size() - 1));
        assertEquals("pipework: stopped by a signal; what this run did was undone\n", lines);
    }

    @Test
    void theWatchersPolicyFinishesTheRunRefusesTheNextAndExitsZero() throws Exception {
        Halt halt = new Halt();
        Shutdown shutdown = new Shutdown(halt::halt, false);
        HeldRunner runner = new HeldRunner();
        Executor executor = new Executor(runner, ContainerActions.NONE, shutdown);
        CountDownLatch stopAsked = new CountDownLatch(1);
        AtomicReference<Throwable> next = new AtomicReference<>();
        AtomicInteger returned = new AtomicInteger(-1);
        Thread frontEnd = new Thread(() -> returned.set(shutdown.finishActionOnSignal(stopAsked::countDown, () -> {
            executor.execute(ExecutorTest.fullPlan());
            try {
                new Executor(runner, ContainerActions.NONE, shutdown).execute(ExecutorTest.fullPlan());
            } catch (PipeworkException refused) {
                next.set(refused);
            }
            return 3;
        })));
        frontEnd.start();
        assertTrue(runner.holding.await(SECONDS, TimeUnit.SECONDS));
        int before = runner.ran.size();
        Thread hook = new Thread(shutdown::signal);
        hook.start();
        assertTrue(stopAsked.await(SECONDS, TimeUnit.SECONDS), "the front end was not told to stop");
        hook.join(300);
        assertTrue(hook.isAlive(), "the hook did not wait for the run under way");
        assertEquals(-1, halt.status.get());
        runner.release.countDown();
        frontEnd.join(TimeUnit.SECONDS.toMillis(SECONDS));
        hook.join(TimeUnit.SECONDS.toMillis(SECONDS));
        assertFalse(hook.isAlive());
        assertFalse(runner.stopped.get(), "the command running was stopped");
        assertFalse(runner.ranUndo(), "the run was undone: " + runner.ran);
        assertTrue(runner.ran.size() > before + 2, "the run did not go on to its end: " + runner.ran);
        assertTrue(runner.ran.get(runner.ran.size() - 1).contains("arping"),
                "its last step did not run: " + runner.ran);
        assertEquals(143, ((PipeworkException) next.get()).exitStatus(), "a run began after the signal");
        assertEquals(0, halt.status.get(), "the watcher did not exit 0");
        assertEquals(3, returned.get());
    }

    @Test
    void underTheWatchersPolicyARunThatFailsAfterTheSignalIsUndoneAsWithoutOne() throws Exception {
        Halt halt = new Halt();
        Shutdown shutdown = new Shutdown(halt::halt, false);
        HeldRunner runner = new HeldRunner() {
            @Override
            public CommandResult run(List<String> argv) {
                CommandResult r = super.run(argv);
                return createsTheVeth(argv) ? new CommandResult(2, "", "RTNETLINK answers: File exists") : r;
            }
        };
        Executor executor = new Executor(runner, ContainerActions.NONE, shutdown);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread frontEnd = new Thread(() -> shutdown.finishActionOnSignal(() -> { }, () -> {
            try {
                executor.execute(ExecutorTest.fullPlan());
            } catch (PipeworkException e) {
                thrown.set(e);
            }
            return 0;
        }));
        frontEnd.start();
        assertTrue(runner.holding.await(SECONDS, TimeUnit.SECONDS));
        Thread hook = new Thread(shutdown::signal);
        hook.start();
        Thread.sleep(100);
        runner.release.countDown();
        frontEnd.join(TimeUnit.SECONDS.toMillis(SECONDS));
        hook.join(TimeUnit.SECONDS.toMillis(SECONDS));
        assertTrue(thrown.get().getMessage().startsWith("failed to "), thrown.get().getMessage());
        assertEquals(2, ((PipeworkException) thrown.get()).exitStatus());
        assertTrue(runner.ranUndo(), "the failed run was not undone: " + runner.ran);
        assertEquals(0, halt.status.get());
    }

    @Test
    void aWatcherThatEndedByItselfKeepsItsStatus() {
        Halt halt = new Halt();
        Shutdown shutdown = new Shutdown(halt::halt, false);
        assertEquals(1, shutdown.finishActionOnSignal(() -> { }, () -> 1));
        shutdown.signal();
        assertEquals(-1, halt.status.get());
    }
}
