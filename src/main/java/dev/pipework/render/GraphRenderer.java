package dev.pipework.render;

import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Overlay;
import dev.pipework.plan.Plan;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code status --graph}: the attachments as a Graphviz DOT document ({@link DotGraph}), or with
 * {@code --graph=svg} that document drawn by Graphviz's {@code dot}, run through the command runner.
 * A dry run and an attach have no picture: they print as text.
 */
public final class GraphRenderer implements Renderer {
    /** The formats {@code --graph} takes. */
    public enum Format { DOT, SVG }

    /** The package that holds {@code dot}, named in the message when it is missing. */
    static final String GRAPHVIZ_PACKAGE = "graphviz";

    private final Format format;
    private final CommandRunner runner;
    private final Predicate<String> installed;
    private final TextRenderer text = new TextRenderer();

    /**
     * @param runner    runs {@code dot} (for SVG)
     * @param installed whether a command is on the PATH
     */
    public GraphRenderer(Format format, CommandRunner runner, Predicate<String> installed) {
        this.format = format;
        this.runner = runner;
        this.installed = installed;
    }

    /** The format named on the command line ({@code dot} or {@code svg}, any case). */
    public static Format format(String name) {
        for (Format f : Format.values()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new PipeworkException("--graph takes dot or svg, not \"" + name + "\"");
    }

    @Override
    public void dryRun(Plan plan, PrintStream out) {
        text.dryRun(plan, out);
    }

    /** The attachments and the overlays, their underlay NICs and peers. */
    @Override
    public void status(Status status, PrintStream out) {
        String dot = DotGraph.of(status.attachments(), status.overlays());
        if (format == Format.DOT) {
            out.print(dot);
            out.flush();
            return;
        }
        if (!installed.test("dot")) {
            throw new PipeworkException("--graph=svg needs Graphviz's dot, which is not installed"
                    + " (install the package " + GRAPHVIZ_PACKAGE + "; --graph alone prints the DOT document)");
        }
        CommandResult svg = runner.run(List.of("dot", "-Tsvg"), dot);
        if (!svg.succeeded()) {
            throw new PipeworkException("dot could not draw the graph: " + svg.reason());
        }
        out.print(svg.stdout());
        out.flush();
    }

    @Override
    public void attached(Attachment attachment, Plan plan, PrintStream out) {
        text.attached(attachment, plan, out);
    }

    @Override
    public void applied(List<Applied> outcomes, PrintStream out) {
        text.applied(outcomes, out);
    }
}
