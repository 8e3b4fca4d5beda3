package dev.pipework.cli;

import dev.pipework.plan.OvsPort;
import dev.pipework.render.GraphRenderer;
import dev.pipework.render.Renderer;
import dev.pipework.run.Recovery;
import dev.pipework.run.Services;
import dev.pipework.run.StatusQuery;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.PoolAddress;
import dev.pipework.plan.Attachment;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;

/** {@code pipework status [<guest>] [--json | --graph[=svg]]}: what attaches plumbed, from the live state. */
@Command(name = "status", description = "Shows what attaches plumbed, one line per interface.")
final class StatusCommand implements Subcommand {
    @Mixin
    Options.Output output = new Options.Output();

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
        StatusQuery query = new StatusQuery(services);
        StatusQuery.Report report = query.report(Optional.ofNullable(guest));
        List<PoolAddress> pools = List.of();
        try {
            pools = services.ipam().addresses();
        } catch (PipeworkException e) {
            err.println("pipework: " + e.getMessage());
        }
        renderer.status(new Renderer.Status(report.attachments(), pools,
                guest == null ? query.overlays() : List.of(), guest == null), out);
        for (OvsPort port : report.stalePorts()) {
            err.println(stale(port));
        }
        return 0;
    }

    /** A port whose interface went (its container removed with no del and no watcher), and the command that removes it. */
    static String stale(OvsPort port) {
        Map<String, String> ids = port.externalIds();
        String name = ids.getOrDefault("pipework.containername", "");
        String id = ids.getOrDefault("pipework.containerid", "");
        String of = !name.isEmpty() ? " of container \"" + (name.startsWith("/") ? name.substring(1) : name) + "\""
                : !id.isEmpty() ? " of container " + id.substring(0, Math.min(12, id.length())) : "";
        return "pipework: stale Open vSwitch port \"" + port.name() + "\" on bridge \"" + port.bridge() + "\"" + of
                + ": its interface is gone; remove it with: ovs-vsctl del-port " + port.bridge() + " "
                + port.name();
    }
}
