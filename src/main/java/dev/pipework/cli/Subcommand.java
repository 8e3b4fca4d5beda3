package dev.pipework.cli;

import dev.pipework.run.Services;

import java.io.PrintStream;

/** A sub-command ({@code del}, {@code status}): a picocli model that runs itself over the shared services. */
interface Subcommand {

    /**
     * @param root the attach form's model, holding the options given before the sub-command's name
     * @return the exit status
     */
    int run(PipeworkCommand root, Services services, PrintStream out, PrintStream err);
}
