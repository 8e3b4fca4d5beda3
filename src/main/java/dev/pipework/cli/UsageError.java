package dev.pipework.cli;

import dev.pipework.model.InvalidValueException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A command line that cannot be read: the word not understood is named, the nearest sub-command
 * or option suggested, and the usage of the form in question printed (the attach form's is the
 * original's Syntax lines). A value that does not validate is one line, as everywhere.
 */
final class UsageError {
    private final PrintStream err;

    UsageError(PrintStream err) {
        this.err = err;
    }

    /** Reports what picocli could not read; returns the exit status, 1. */
    int report(ParameterException e) {
        if (e.getCause() instanceof InvalidValueException invalid) {
            err.println("pipework: " + invalid.getMessage());
            return 1;
        }
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        boolean sub = spec.parent() != null;
        String where = sub ? spec.name() + ": " : "";
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String word = u.getUnmatched().get(0);
            if (word.startsWith("-")) {
                err.println("pipework: " + where + "unknown option \"" + word + "\""
                        + Help.nearest(word, Help.optionNames(spec)).map(n -> "; did you mean " + n + "?").orElse(""));
            } else {
                err.println("pipework: " + where + "unexpected argument \"" + word + "\"");
            }
        } else {
            err.println("pipework: " + where + e.getMessage());
        }
        err.print(sub ? Help.usage(spec) : Syntax.ORIGINAL);
        return 1;
    }

    /**
     * When the first word, too short a line for the attach form and no host interface, is a
     * sub-command mistyped: says so, with that sub-command's usage, and answers true.
     */
    boolean mistypedCommand(String word) {
        List<String> commands = new ArrayList<>(Help.SUBCOMMANDS);
        commands.addAll(Help.GUEST_COMMANDS);
        Optional<String> near = Help.nearest(word, commands);
        if (near.isEmpty()) {
            return false;
        }
        err.println("pipework: \"" + word + "\" is neither a command nor a host interface; did you mean "
                + near.get() + "?");
        Optional<CommandSpec> spec = Help.subcommands().stream().filter(s -> s.name().equals(near.get())).findFirst();
        if (spec.isPresent()) {
            err.print(Help.usage(spec.get()));
        } else {
            Syntax.ORIGINAL.lines().filter(l -> l.startsWith("pipework " + near.get() + " "))
                    .forEach(l -> err.println("Usage: " + l));
            err.println("pipework --help shows every form.");
        }
        return true;
    }
}
