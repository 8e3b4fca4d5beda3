package dev.pipework.cli;

import dev.pipework.render.Renderer;
import dev.pipework.run.Removal;
import dev.pipework.run.Services;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.Optional;

/** {@code pipework del <guest> [-i <cif>] [--all]}: removes what attaches plumbed into a guest. */
@Command(name = "del", description = "Removes the interfaces an attach plumbed into a guest.")
final class DelCommand implements Subcommand {
    @Option(names = "-i", paramLabel = "containerinterface", converter = PipeworkCommand.ContainerInterface.class,
            description = "the interface to remove (default eth1)")
    String containerInterface;

    @Option(names = "--all", description = "remove every interface an attach plumbed into the guest")
    boolean all;

    @Mixin
    Options.DryRun dryRun = new Options.DryRun();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Parameters(arity = "1", paramLabel = "guest")
    String guest;

    @Override
    public int run(PipeworkCommand root, Services services, PrintStream out, PrintStream err) {
        Optional<String> which = all ? Optional.empty()
                : Optional.of(containerInterface == null ? "eth1" : containerInterface);
        return new Removal(services, out, err).run(guest, which, dryRun.dryRun || root.dryRun.dryRun,
                Renderer.of(false));
    }
}
