package dev.pipework.cli;

import dev.pipework.render.GraphRenderer;
import dev.pipework.render.Renderer;
import dev.pipework.run.Recovery;
import dev.pipework.run.Services;
import dev.pipework.run.StatusQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.Optional;

/** {@code pipework status [<guest>] [--json | --graph[=svg]]}: what attaches plumbed, from the live state. */
@Command(name = "status", description = "Shows what attaches plumbed, one line per interface.")
final class StatusCommand implements Subcommand {
    @Mixin
    Options.JsonOutput json = new Options.JsonOutput();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Option(names = "--graph", arity = "0..1", fallbackValue = "dot", paramLabel = "dot|svg",
            description = "print the plumbing as a Graphviz graph: DOT, or with --graph=svg drawn by dot")
    String graph;

    @Parameters(arity = "0..1", paramLabel = "guest")
    String guest;

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        if (graph != null && guest == null && !graph.equalsIgnoreCase("dot") && !graph.equalsIgnoreCase("svg")) {
            // picocli gives an optional option value the next word: in "status --graph web" that is the guest.
            guest = graph;
            graph = "dot";
        }
        Renderer renderer = graph == null ? how.renderer()
                : new GraphRenderer(GraphRenderer.format(graph), services.runner(), services.host()::commandInstalled);
        if (services.effectiveUid().getAsInt() == 0) {
            // Runs killed midway are undone first, so that what status shows is what is meant to be.
            Recovery.recover(services).lines().forEach(line -> err.println("pipework: " + line));
        }
        renderer.status(
                new StatusQuery(services).attachments(Optional.ofNullable(guest)), out);
        return 0;
    }
}
