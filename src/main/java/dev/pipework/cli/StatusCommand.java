package dev.pipework.cli;

import dev.pipework.run.Services;
import dev.pipework.run.StatusQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.Optional;

/** {@code pipework status [<guest>] [--json]}: what attaches plumbed, from the live state. */
@Command(name = "status", description = "Shows what attaches plumbed, one line per interface.")
final class StatusCommand implements Subcommand {
    @Mixin
    Options.JsonOutput json = new Options.JsonOutput();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Parameters(arity = "0..1", paramLabel = "guest")
    String guest;

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        how.renderer().status(
                new StatusQuery(services).attachments(Optional.ofNullable(guest)), out);
        return 0;
    }
}
