package dev.pipework.cli;

import dev.pipework.run.Services;

import java.io.PrintStream;

/** A sub-command ({@code del}, {@code status}): a picocli model that runs itself over the shared services. */
interface Subcommand {

    /**
     * @param how what the shared options chose, before the sub-command's name or after it
     * @return the exit status
     */
    int run(Invocation how, Services services, PrintStream out, PrintStream err);
}
