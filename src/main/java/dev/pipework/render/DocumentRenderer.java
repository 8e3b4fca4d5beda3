package dev.pipework.render;

import dev.pipework.model.PoolAddress;
import dev.pipework.model.PoolUse;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Plan;

import java.io.PrintStream;
import java.util.List;

/**
 * A structured format: every result is the document {@link Documents} builds, and the format only
 * writes it. A new structured format is one subclass.
 */
abstract class DocumentRenderer implements Renderer {

    /** The document as this format's text, without a final line break. */
    abstract String write(Object document);

    @Override
    public final void dryRun(Plan plan, PrintStream out) {
        dryRun(plan, List.of(), out);
    }

    @Override
    public final void dryRun(Plan plan, List<PoolAddress> given, PrintStream out) {
        out.println(write(Documents.dryRun(plan, given)));
    }

    @Override
    public final void status(Status status, PrintStream out) {
        out.println(write(Documents.status(status)));
    }

    @Override
    public final void attached(Attachment attachment, Plan plan, PrintStream out) {
        attached(attachment, plan, List.of(), out);
    }

    @Override
    public final void attached(Attachment attachment, Plan plan, List<PoolAddress> given, PrintStream out) {
        out.println(write(Documents.attached(attachment, plan, given)));
    }

    @Override
    public final void pools(List<PoolUse> pools, PrintStream out) {
        out.println(write(Documents.pools(pools)));
    }

    @Override
    public final void applied(List<Applied> outcomes, PrintStream out) {
        out.println(write(Documents.applied(outcomes)));
    }

    @Override
    public final boolean showsResult() {
        return true;
    }
}
