package dev.pipework.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipework status [<guest>] [--json]}: what attaches plumbed, from the live state. */
@Command(name = "status", description = "Shows what attaches plumbed, one line per interface.")
final class StatusCommand {
    @Option(names = "--json", description = "print a JSON document")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "show every command run on stderr")
    boolean verbose;

    @Parameters(arity = "0..1", paramLabel = "guest")
    String guest;
}
