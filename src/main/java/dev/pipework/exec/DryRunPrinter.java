package dev.pipework.exec;

import dev.pipework.plan.Plan;
import dev.pipework.plan.Step;

import java.io.PrintStream;

/** Prints the commands a plan would run, one per line, as a shell would take them; runs nothing. */
public final class DryRunPrinter {

    public static String render(Plan plan) {
        StringBuilder out = new StringBuilder();
        for (Step step : plan.steps()) {
            out.append(ShellWords.join(step.argv())).append('\n');
        }
        return out.toString();
    }

    public static void print(Plan plan, PrintStream out) {
        out.print(render(plan));
        out.flush();
    }

    private DryRunPrinter() {
    }
}
