package dev.pipework.exec;

import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Command;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Step;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.ShellWords;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Runs a plan's steps in order. When one fails, the steps already done are undone in reverse
 * order, best effort, and the failure is reported with the command's own words and exit status.
 *
 * <p>Consecutive {@code ip} commands in the same namespace run as one {@code ip -batch -}: one
 * process instead of one per step. {@code ip} stops a batch at the first command that fails and
 * names its line ({@code Command failed -:<n>}), so what was done is still known step by step.
 */
public final class Executor {
    private final CommandRunner runner;
    private final Commands commands;
    private final Shutdown shutdown;
    private final Optional<Journal> journal;
    private final IpBatch.ByName byName;
    /** The journal entry of the run under way; guarded by {@link #turn}. */
    private Journal.Written entry;

    public Executor(CommandRunner runner) {
        this(runner, ContainerActions.NONE, Shutdown.process(), Optional.empty());
    }

    /** @param shutdown what a signal does to the run, as the front end chose */
    Executor(CommandRunner runner, ContainerActions containers, Shutdown shutdown) {
        this(runner, containers, shutdown, Optional.empty());
    }

    Executor(CommandRunner runner, ContainerActions containers, Shutdown shutdown, Optional<Journal> journal) {
        this(runner, containers, OvsdbActions.NONE, shutdown, journal, IpBatch.ByName.whereTheDirectoryIs());
    }

    /**
     * An executor that changes Open vSwitch's ports through {@code ovsdb} and keeps a journal of its
     * runs in flight where one is given.
     */
    public Executor(CommandRunner runner, ContainerActions containers, OvsdbActions ovsdb, Optional<Journal> journal) {
        this(runner, containers, ovsdb, Shutdown.process(), journal, IpBatch.ByName.whereTheDirectoryIs());
    }

    /** @param byName whether a guest's batch may be run by {@code ip -n} (tests say) */
    Executor(CommandRunner runner, ContainerActions containers, Shutdown shutdown, Optional<Journal> journal,
             IpBatch.ByName byName) {
        this(runner, containers, OvsdbActions.NONE, shutdown, journal, byName);
    }

    Executor(CommandRunner runner, ContainerActions containers, OvsdbActions ovsdb, Shutdown shutdown,
             Optional<Journal> journal, IpBatch.ByName byName) {
        this.runner = runner;
        // An undo's waits are not cut short by a signal: it is finished (stopAndUndo).
        this.commands = new Commands(runner, containers, ovsdb, () -> stopping && !undoing);
        this.shutdown = shutdown;
        this.journal = journal;
        this.byName = byName;
    }

    /**
     * Runs the plan. A SIGTERM or SIGINT meanwhile does what the front end chose ({@link Shutdown}):
     * the command line's and the CNI plugin's policy stops the command running and undoes what the
     * run did, as for a failure; the watcher's lets the run go on to its end. After a signal no run
     * begins.
     */
    public void execute(Plan plan) {
        execute(plan, List.of(), Optional.empty(), () -> null);
    }

    /**
     * Runs the plan, then the check of what it made: a check that fails (throws) undoes the plan
     * as a failed step does, and its message is the run's.
     *
     * @return what the check found
     */
    public <T> T execute(Plan plan, Supplier<T> check) {
        return execute(plan, List.of(), Optional.empty(), check);
    }

    /**
     * The same, the run written to the journal (when this executor keeps one) before its first
     * change, with the locks it holds and the guest's namespace it reaches, so that a run killed
     * midway can be undone by the next; when the entry cannot be written, nothing is changed.
     */
    public void execute(Plan plan, List<String> locks, Optional<JournalEntry.GuestNetns> guest) {
        execute(plan, locks, guest, () -> null);
    }

    /** The run journaled as above, then the check of what it made, as {@link #execute(Plan, Supplier)}. */
    public <T> T execute(Plan plan, List<String> locks, Optional<JournalEntry.GuestNetns> guest, Supplier<T> check) {
        synchronized (stopLock) {
            undoing = false;
        }
        synchronized (turn) {
            undone = false;
            leftBehind = List.of();
            entry = null;
            if (journal.isPresent() && plan.steps().stream().anyMatch(s -> s.undo().isPresent())) {
                entry = journal.get().begin(new JournalEntry(Journal.self(), locks, guest, JournalEntry.undos(plan.steps()), 0, 0));
            }
        }
        stopping = false;
        List<Step> done = new ArrayList<>();
        Shutdown.Run run = shutdown.begin(() -> stopAndUndo(done));
        try {
            executeSteps(plan.steps(), done);
            try {
                return check.get();
            } catch (RuntimeException e) {
                List<String> undoFailures = undoAfterFailure(done, List.of());
                if (undoFailures.isEmpty()) {
                    throw e;
                }
                throw new PipeworkException(withLines(String.valueOf(e.getMessage()), undoFailures),
                        e instanceof PipeworkException p ? p.exitStatus() : 1);
            }
        } finally {
            run.close();
            synchronized (turn) {
                if (entry != null) {
                    entry.end();
                }
            }
        }
    }

    /**
     * On a signal: the command running is stopped (with what it started), then, once the step it
     * belonged to is over, the steps done are undone unless the failure that stop caused has
     * undone them already. A run whose undo has begun (a step failed) is left to finish it: its
     * command is not stopped. What the undo could not undo is said, whoever undid the run.
     */
    private void stopAndUndo(List<Step> done) {
        stopping = true;
        synchronized (stopLock) {
            if (!undoing) {
                runner.stopRunning();
            }
        }
        List<String> failures;
        synchronized (turn) {
            undoOnce(done);
            // Whoever undid the run (the failure the stop caused, most often), what it could not undo.
            failures = leftBehind;
        }
        System.err.println("pipework: stopped by a signal; what this run did was undone");
        failures.forEach(System.err::println);
    }

    /** Held while a step runs or the run is undone: a signal waits for the step in hand. */
    private final Object turn = new Object();
    private volatile boolean stopping;
    /** Guarded by {@link #turn}. */
    private boolean undone;
    /** What the run's undo could not undo, once it is undone; guarded by {@link #turn}. */
    private List<String> leftBehind = List.of();
    /**
     * Whether the run's undo has begun (a step failed): a signal then stops no command, as an undo's
     * command stopped would leave its step's change behind. Set under {@link #stopLock}, which a
     * signal holds while it stops the commands running: an undo begins after that stop or without it.
     */
    private volatile boolean undoing;
    private final Object stopLock = new Object();

    private void beginUndo() {
        synchronized (stopLock) {
            undoing = true;
        }
    }

    private void executeSteps(List<Step> steps, List<Step> done) {
        int i = 0;
        while (i < steps.size()) {
            synchronized (turn) {
                if (stopping || undone) {
                    throw new PipeworkException("stopped by a signal", 143);
                }
                i = executeNext(steps, i, done);
            }
        }
    }

    /** Runs the step at {@code i} (or the batch it begins); returns the index of the next. */
    private int executeNext(List<Step> steps, int i, List<Step> done) {
        Step step = steps.get(i);
        List<Step> batch = IpBatch.run(steps, i);
        if (entry != null) {
            entry.progress(done.size(), i + batch.size());
        }
        if (batch.size() > 1) {
            CommandResult result = IpBatch.execute(runner, batch, byName);
            if (!result.succeeded()) {
                OptionalInt line = IpBatch.failedLine(result);
                if (line.isEmpty()) {
                    failSomewhereIn(batch, result, done);
                }
                int failed = line.getAsInt() - 1;
                done.addAll(batch.subList(0, Math.min(failed, batch.size())));
                Step culprit = batch.get(Math.min(failed, batch.size() - 1));
                fail(culprit, IpBatch.withoutBatchMarker(result), done);
            }
            done.addAll(batch);
            return i + batch.size();
        }
        CommandResult result = run(step.command());
        if (!result.succeeded()) {
            fail(step, result, done);
        }
        done.add(step);
        return i + 1;
    }

    /** Carries out one command, as its type says. */
    CommandResult run(Command command) {
        return commands.run(command);
    }

    private void fail(Step step, CommandResult result, List<Step> done) {
        String message = withLines("failed to " + step.action() + ": " + result.reason(), undoAfterFailure(done, List.of()));
        if (step.command() instanceof Command.Obtain) {
            throw new dev.pipework.model.NoLeaseException(message, exitStatusOf(result));
        }
        throw new PipeworkException(message, exitStatusOf(result));
    }

    /**
     * The undo after the run's own failure: the steps of {@code perhapsDone} (a batch that failed
     * without saying where) whose undo is harmless where they never ran, last first, their failures
     * unreported, then the steps done. Returns what the undo could not undo, for the failure's
     * message; throws "stopped by a signal" where the signal came first (the failure is its stop of
     * the command). Where the signal came during the undo, its lines say what was left behind.
     */
    private List<String> undoAfterFailure(List<Step> done, List<Step> perhapsDone) {
        boolean stoppedFirst = stopping;
        beginUndo();
        for (int i = perhapsDone.size() - 1; i >= 0; i--) {
            Step step = perhapsDone.get(i);
            if (step.undo().isPresent() && step.undoHarmlessIfNotRun()) {
                run(step.undo().get());
            }
        }
        List<String> undoFailures = undoOnce(done);
        if (stoppedFirst) {
            throw new PipeworkException("stopped by a signal", 143);
        }
        return stopping ? List.of() : undoFailures;
    }

    private static String withLines(String first, List<String> lines) {
        StringBuilder message = new StringBuilder(first);
        lines.forEach(line -> message.append(System.lineSeparator()).append(line));
        return message.toString();
    }

    /**
     * A batch that failed without {@code ip} naming the line: a line it could not parse makes it
     * exit at once ({@code invarg()} and its kin), after the lines before it were applied and before
     * any after it. Which line that was is unknown, so every step of the batch is rolled back as if
     * it had been done, last first, then the steps before the batch.
     *
     * <p>That is sound because the undo of each step that can share a batch is harmless when its
     * change is absent: a link the batch creates was absent when the plan was made under the locks,
     * so deleting that name can only delete what the batch made; setting a link down or up again,
     * restoring its alias or MAC, renaming it back, act on a link this run planned for and put back
     * the state the plan read, or fail because the link is not there. An undo that is not harmless
     * where its step never ran ({@link Step#undoHarmlessIfNotRun}), such as moving a NIC back out of
     * a guest (if the move never ran, a link of that name in the guest would be the guest's own, and
     * must not be brought into the host), is skipped (at worst a link is left inside the guest). An
     * undo of a step that never ran is expected to fail, so only the failures of steps known done
     * are reported. A batch that failed because a signal stopped it is said as the signal's stop.
     */
    private void failSomewhereIn(List<Step> batch, CommandResult result, List<Step> done) {
        List<String> undoFailures = undoAfterFailure(done, batch);
        List<String> actions = batch.stream().map(Step::action).toList();
        throw new PipeworkException(withLines("failed to " + String.join(", or to ", actions) + ": "
                + result.reason() + " (ip did not say which; all of them were undone)", undoFailures), exitStatusOf(result));
    }

    /** Undoes the steps done unless that was done already (a signal's undo and a failure's meet). */
    private List<String> undoOnce(List<Step> done) {
        synchronized (turn) {
            if (undone) {
                return List.of();
            }
            undone = true;
            leftBehind = rollBack(done);
            return leftBehind;
        }
    }

    /** Undoes the given steps, last first; returns a line for each undo that failed. */
    List<String> rollBack(List<Step> done) {
        beginUndo();
        List<String> failures = new ArrayList<>();
        for (int i = done.size() - 1; i >= 0; i--) {
            Step step = done.get(i);
            if (step.undo().isEmpty()) {
                continue;
            }
            Command undo = step.undo().get();
            CommandResult result = run(undo);
            if (!result.succeeded() && !alreadyGone(undo, result)) {
                failures.add("and failed to undo \"" + step.action() + "\": " + result.reason()
                        + " (left behind; remove by hand: " + ShellWords.join(undo.argv()) + ")");
            }
            if (entry != null) {
                entry.progress(i, i);
            }
        }
        if (entry != null) {
            entry.end();
        }
        return failures;
    }

    /**
     * Undoes what a killed run recorded: the steps it had begun and may not have finished first, each
     * only when its undo is harmless where the step never ran ({@link Step#undoHarmlessIfNotRun}, as for
     * a batch that failed without saying where, {@link #failSomewhereIn}), their failures expected; then
     * the steps it had done, last first. Every command is first rewritten by {@code rebind} (a path of
     * the dead owner's to this process's); an undo inside the guest is skipped when
     * {@code guestReachable} is false (the namespace is gone, and what was in it with it). Returns a
     * line for each undo of a done step that failed.
     */
    public List<String> undoRecorded(JournalEntry recorded, java.util.function.UnaryOperator<Command> rebind,
                                     boolean guestReachable) {
        List<String> failures = new ArrayList<>();
        List<JournalEntry.Undo> steps = recorded.steps();
        for (int i = recorded.begun() - 1; i >= 0; i--) {
            JournalEntry.Undo step = steps.get(i);
            if (step.command().isEmpty() || (i >= recorded.done() && !step.harmlessIfNotRun())) {
                continue;
            }
            Command undo = rebind.apply(step.command().get());
            if (!guestReachable && inGuest(undo)) {
                continue;
            }
            CommandResult result = run(undo);
            if (!result.succeeded() && i < recorded.done() && !alreadyGone(undo, result)) {
                failures.add("failed to undo \"" + step.action() + "\": " + result.reason()
                        + " (left behind; remove by hand: " + ShellWords.join(undo.argv()) + ")");
            }
        }
        return failures;
    }

    /**
     * A link to delete that is not there: the kernel took it already (its namespace went, or its
     * peer), or an earlier undo did (a link made and moved into the guest is deleted there first).
     */
    private static boolean alreadyGone(Command undo, CommandResult result) {
        return undo instanceof Command.Ip ip && ip.words().size() == 4 && ip.words().get(1).equals("del")
                && result.stderr().contains("Cannot find device");
    }

    private static boolean inGuest(Command command) {
        return command instanceof Command.Ip ip ? !ip.where().isHost() : command.argv().get(0).equals("nsenter");
    }

    /** The failed command's status, as the original's {@code set -e} passes it on; 1 where that is not a plain failure. */
    static int exitStatusOf(CommandResult result) {
        int status = result.exitStatus();
        return status > 0 && status < 126 ? status : 1;
    }
}
