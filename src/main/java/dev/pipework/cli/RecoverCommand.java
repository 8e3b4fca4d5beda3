package dev.pipework.cli;

import dev.pipework.run.Recovery;
import dev.pipework.run.Services;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;

/**
 * {@code pipework recover}: undoes the runs that were killed midway (their journal entries), as any
 * run does before it begins; says what it did, the entries it kept and the runs still in flight.
 */
@Command(name = "recover", description = "Undoes what runs killed midway (SIGKILL, the OOM killer, a power cut)"
        + " left, from the journal in /run/pipework/journal; any run does so before it begins.")
final class RecoverCommand implements Subcommand {
    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        services.requireRoot(Services.CHANGES);
        Recovery.Report report = Recovery.recover(services);
        if (report.empty()) {
            out.println("nothing to recover");
        }
        report.lines().forEach(out::println);
        return report.kept().isEmpty() ? 0 : 1;
    }
}
