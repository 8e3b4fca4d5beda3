package dev.pipework.exec;

import dev.pipework.guest.Docker;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Step;
import dev.pipework.plan.StepEffects;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a plan's steps in order. When one fails, the steps already done are undone in reverse
 * order, best effort, and the failure is reported with the command's own words and exit status.
 *
 * <p>Consecutive {@code ip} steps in the same namespace run as one {@code ip -batch -}: one process
 * instead of one per step. {@code ip} stops a batch at the first command that fails and names its
 * line ({@code Command failed -:<n>}), so what was done is still known step by step.
 */
public final class Executor {
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    private final StepEffects effects;

    public Executor(CommandRunner runner) {
        this(new StepEffects(runner, Docker.unavailable()));
    }

    public Executor(StepEffects effects) {
        this.effects = effects;
    }

    public void execute(Plan plan) {
        List<Step> steps = plan.steps();
        List<Step> done = new ArrayList<>();
        int i = 0;
        while (i < steps.size()) {
            Step step = steps.get(i);
            List<Step> batch = IpBatch.run(steps, i);
            if (batch.size() > 1) {
                CommandResult result = effects.runner().run(IpBatch.command(batch), IpBatch.input(batch));
                if (!result.succeeded()) {
                    int failed = failedLine(result).orElse(1) - 1;
                    done.addAll(batch.subList(0, Math.min(failed, batch.size())));
                    Step culprit = batch.get(Math.min(failed, batch.size() - 1));
                    fail(culprit, withoutBatchMarker(result), done);
                }
                done.addAll(batch);
                i += batch.size();
                continue;
            }
            CommandResult result = step.perform(effects);
            if (!result.succeeded()) {
                fail(step, result, done);
            }
            done.add(step);
            i++;
        }
    }

    private void fail(Step step, CommandResult result, List<Step> done) {
        List<String> undoFailures = rollBack(done);
        StringBuilder message = new StringBuilder("failed to " + step.action() + ": " + result.reason());
        for (String failure : undoFailures) {
            message.append(System.lineSeparator()).append(failure);
        }
        throw new PipeworkException(message.toString(), exitStatusOf(result));
    }

    /** The 1-based line of the batch that failed, when {@code ip} said so. */
    static java.util.OptionalInt failedLine(CommandResult result) {
        Matcher m = FAILED_LINE.matcher(result.stderr());
        return m.find() ? java.util.OptionalInt.of(Integer.parseInt(m.group(1))) : java.util.OptionalInt.empty();
    }

    /** The result as the failed command alone would have given it: without the batch's own line. */
    private static CommandResult withoutBatchMarker(CommandResult result) {
        String stderr = FAILED_LINE.matcher(result.stderr()).replaceAll("").strip();
        return new CommandResult(result.exitStatus(), result.stdout(), stderr);
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
