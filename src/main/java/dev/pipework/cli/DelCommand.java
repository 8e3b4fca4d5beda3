package dev.pipework.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipework del <guest> [-i <cif>] [--all]}: removes what attaches plumbed into a guest. */
@Command(name = "del", description = "Removes the interfaces an attach plumbed into a guest.")
final class DelCommand {
    @Option(names = "-i", paramLabel = "containerinterface", converter = PipeworkCommand.ContainerInterface.class,
            description = "the interface to remove (default eth1)")
    String containerInterface;

    @Option(names = "--all", description = "remove every interface an attach plumbed into the guest")
    boolean all;

    @Option(names = "--dry-run", description = "print the commands, change nothing")
    boolean dryRun;

    @Option(names = {"-v", "--verbose"}, description = "show every command run on stderr")
    boolean verbose;

    @Parameters(arity = "1", paramLabel = "guest")
    String guest;
}
