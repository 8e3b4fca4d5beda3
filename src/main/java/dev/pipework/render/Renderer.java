package dev.pipework.render;

import dev.pipework.plan.Attachment;
import dev.pipework.plan.Overlay;
import dev.pipework.plan.Plan;

import java.io.PrintStream;
import java.util.List;

/**
 * How results are shown on stdout: what a dry run would run, the attachments {@code status} found,
 * the interface an attach made. A new output format is one class implementing this.
 */
public interface Renderer {

    /** The commands a plan would run. */
    void dryRun(Plan plan, PrintStream out);

    /** The attachments found, one per interface. */
    void status(List<Attachment> attachments, PrintStream out);

    /** The attachments found and the host's overlays; a format without overlays shows the attachments. */
    default void status(List<Attachment> attachments, List<Overlay> overlays, PrintStream out) {
        status(attachments, out);
    }

    /** The result of an attach: the interface as the kernel now shows it, and the routes the plan added. */
    void attached(Attachment attachment, Plan plan, PrintStream out);

    /** What {@code apply} did, one entry per declaration; nothing in a format that reports it on stderr only. */
    void applied(List<Applied> outcomes, PrintStream out);

    /** Whether the format shows the result of a change (the text format is silent, as the original). */
    default boolean showsResult() {
        return false;
    }

    /** One declaration {@code apply} read, and what became of it. */
    record Applied(String container, String source, String declaration, java.util.Optional<String> iface,
                   String action, String message) {
    }

    static Renderer of(boolean json) {
        return json ? new JsonRenderer() : new TextRenderer();
    }
}
