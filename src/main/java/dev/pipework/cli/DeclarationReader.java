package dev.pipework.cli;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.InvalidValueException;
import dev.pipework.watch.RequestReader;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads declarations (labels, lines of the attachments file) as the command line reads an attach:
 * the same words, options and checks. Only the attach form is declarable: no sub-command, no
 * {@code route}/{@code rule}/{@code tc}, no help or version, and no option the command model marks
 * {@link Options.NotDeclarable} ({@code --batch}, {@code --wait}, {@code --dry-run}, the output format, ...).
 */
final class DeclarationReader implements RequestReader {
    private static final Set<String> NOT_DECLARABLE = Set.of("route", "rule", "tc", "del", "status", "apply", "watch");
    private static final Set<String> NOT_OPTIONS = notDeclarable(Help.attach());
    private static final String FORM = "<hostinterface> [-i cif] [-l lif] [-a family] <address> [macaddr][@vlan]";

    @Override
    public AttachRequest label(String value, String guest) {
        PipeworkCommand command = parse(ShellSplitter.split(value));
        if (command.words.size() < 2 || command.words.size() > 3) {
            throw new InvalidValueException("expected " + FORM + " (the container is the one labelled)");
        }
        command.words.add(1, guest);
        return read(command);
    }

    @Override
    public AttachRequest line(String line) {
        PipeworkCommand command = parse(ShellSplitter.split(line));
        return read(command);
    }

    private static PipeworkCommand parse(List<String> words) {
        if (words.isEmpty()) {
            throw new InvalidValueException("empty declaration: expected " + FORM);
        }
        if (NOT_DECLARABLE.contains(words.get(0))) {
            throw new InvalidValueException("\"" + words.get(0) + "\" cannot be declared: only the attach form can");
        }
        for (String w : words) {
            if (NOT_OPTIONS.contains(w)) {
                throw new InvalidValueException("option " + w + " cannot be declared");
            }
        }
        PipeworkCommand command = new PipeworkCommand();
        try {
            CommandLine.ParseResult parsed = Pipework.commandLine(command).parseArgs(words.toArray(String[]::new));
            // What picocli matched, whatever the spelling: --batch=FILE, --dry-run=false, -hv.
            for (String option : NOT_OPTIONS) {
                if (parsed.hasMatchedOption(option)) {
                    throw new InvalidValueException("option " + option + " cannot be declared");
                }
            }
        } catch (CommandLine.ParameterException e) {
            if (e.getCause() instanceof InvalidValueException invalid) {
                throw invalid;
            }
            throw new InvalidValueException(e.getMessage());
        }
        return command;
    }

    /** The names of the options a declaration cannot carry, as the command model marks them. */
    static Set<String> notDeclarable(CommandSpec model) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec option : model.options()) {
            if (option.usageHelp() || option.versionHelp()
                    || option.userObject() instanceof Field field && (field.isAnnotationPresent(Options.NotDeclarable.class)
                    || field.getDeclaringClass().isAnnotationPresent(Options.NotDeclarable.class))) {
                names.addAll(List.of(option.names()));
            }
        }
        return Set.copyOf(names);
    }

    private static AttachRequest read(PipeworkCommand command) {
        try {
            return RequestParser.attach(command);
        } catch (RequestParser.MissingArguments e) {
            throw new InvalidValueException("missing arguments: expected " + FORM);
        }
    }
}
