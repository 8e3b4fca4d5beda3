package dev.pipework.cli;

import dev.pipework.render.Renderer;
import dev.pipework.run.Recovery;
import dev.pipework.run.Services;
import dev.pipework.watch.AttachmentsFile;
import dev.pipework.watch.DeclarationPolicy;
import dev.pipework.watch.Reconciler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** {@code pipework apply}: attaches, once, what running containers declare and do not have. */
@Command(name = "apply", description = "Attaches what running containers declare (labels pipework and pipework.*,"
        + " the attachments file) and do not have; leaves alone what is in place.")
final class ApplyCommand implements Subcommand {
    @Mixin
    Options.Config config = new Options.Config();

    @Mixin
    Options.DryRun dryRun = new Options.DryRun();

    @Mixin
    Options.Output output = new Options.Output();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        boolean dry = how.dryRun();
        services.requireRoot("it reads the guests' network namespaces");
        if (!dry) {
            Recovery.beforeRun(services);
        }
        Reconciler reconciler = new Reconciler(services, new DeclarationReader(), new AttachmentsFile(config.file,
                new DeclarationReader()), out, err, dry, how.renderer(), DeclarationPolicy.load(config.policy));
        List<Reconciler.Outcome> outcomes = reconciler.all();
        Map<Reconciler.Action, Integer> counts = new EnumMap<>(Reconciler.Action.class);
        for (Reconciler.Outcome o : outcomes) {
            counts.merge(o.action(), 1, Integer::sum);
            if (o.action() != Reconciler.Action.UNCHANGED || how.verbose()) {
                err.println(o.line());
            }
        }
        boolean problem = outcomes.stream().anyMatch(o -> o.action().problem());
        if (!config.file.equals(AttachmentsFile.DEFAULT) && !java.nio.file.Files.exists(config.file)) {
            // The default file may be absent (labels alone); a file named on the command line may not.
            err.println("pipework: apply: " + config.file + ": no such file (--config); only the labels were applied");
            problem = true;
        }
        int changed = counts.getOrDefault(Reconciler.Action.ATTACHED, 0)
                + counts.getOrDefault(Reconciler.Action.WOULD_ATTACH, 0);
        if (changed == 0 && !problem) {
            err.println("pipework: apply: nothing to change (" + counts.getOrDefault(Reconciler.Action.UNCHANGED, 0)
                    + " interfaces in place as declared)");
        } else {
            List<String> parts = new ArrayList<>();
            counts.forEach((action, n) -> parts.add(n + " " + action.word()));
            err.println("pipework: apply: " + String.join(", ", parts));
        }
        if (!dry) {
            how.renderer().applied(outcomes.stream().map(o -> new Renderer.Applied(o.container(),
                    o.declaration().source(), o.declaration().text(), o.iface(), o.action().word(), o.message()))
                    .toList(), out);
        }
        return problem ? 1 : 0;
    }
}
