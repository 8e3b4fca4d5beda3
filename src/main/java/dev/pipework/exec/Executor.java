package dev.pipework.exec;

import dev.pipework.guest.Docker;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Step;
import dev.pipework.plan.StepEffects;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a plan's steps in order. When one fails, the steps already done are undone in reverse
 * order, best effort, and the failure is reported with the command's own words and exit status.
 */
public final class Executor {
    private final StepEffects effects;

    public Executor(CommandRunner runner) {
        this(new StepEffects(runner, Docker.unavailable()));
    }

    public Executor(StepEffects effects) {
        this.effects = effects;
    }

    public void execute(Plan plan) {
        List<Step> done = new ArrayList<>();
        for (Step step : plan.steps()) {
            if (step.background()) {
                effects.runner().start(step.argv());
                continue;
            }
            CommandResult result = step.perform(effects);
            if (!result.succeeded()) {
                List<String> undoFailures = rollBack(done);
                StringBuilder message = new StringBuilder("failed to " + step.action() + ": " + result.reason());
                for (String failure : undoFailures) {
                    message.append(System.lineSeparator()).append(failure);
                }
                throw new PipeworkException(message.toString(), exitStatusOf(result));
            }
            done.add(step);
        }
    }

    /** Undoes the given steps, last first; returns a line for each undo that failed. */
    List<String> rollBack(List<Step> done) {
        List<String> failures = new ArrayList<>();
        for (int i = done.size() - 1; i >= 0; i--) {
            Step step = done.get(i);
            if (step.undo().isEmpty()) {
                continue;
            }
            CommandResult result = step.revert(effects);
            if (!result.succeeded()) {
                failures.add("and failed to undo \"" + step.action() + "\": " + result.reason()
                        + " (left behind; remove by hand: " + ShellWords.join(step.undo()) + ")");
            }
        }
        return failures;
    }

    /** The failed command's status, as the original's {@code set -e} passes it on; 1 where that is not a plain failure. */
    static int exitStatusOf(CommandResult result) {
        int status = result.exitStatus();
        return status > 0 && status < 126 ? status : 1;
    }
}
