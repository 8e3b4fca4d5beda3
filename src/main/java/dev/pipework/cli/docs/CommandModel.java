package dev.pipework.cli.docs;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line as the documentation generators read it: the picocli models of the attach form,
 * of {@code del}, {@code status} and {@code shim}, and the usage text. The models stay package-private to the
 * command line; they are read here reflectively, at build time only.
 */
final class CommandModel {
    private static final String CLI = "dev.pipework.cli.";

    /** The words that select {@code ip route}, {@code ip rule} and {@code tc} inside a guest. */
    static final List<String> GUEST_COMMANDS = List.of("route", "rule", "tc");

    final CommandSpec attach;
    final CommandSpec del;
    final CommandSpec status;
    final CommandSpec shim;
    final CommandSpec apply;
    final CommandSpec watch;
    /** The original's Syntax lines, as {@code pipework} prints them. */
    final String syntax;

    private CommandModel(CommandSpec attach, CommandSpec del, CommandSpec status, CommandSpec shim, CommandSpec apply,
                         CommandSpec watch, String syntax) {
        this.attach = attach;
        this.del = del;
        this.status = status;
        this.shim = shim;
        this.apply = apply;
        this.watch = watch;
        this.syntax = syntax;
    }

    static CommandModel load() {
        return new CommandModel(spec("PipeworkCommand"), spec("DelCommand"), spec("StatusCommand"), spec("ShimCommand"),
                spec("ApplyCommand"), spec("WatchCommand"), constant("Syntax", "ORIGINAL"));
    }

    /** The sub-commands with a model of their own, by name. */
    List<CommandSpec> subcommands() {
        return List.of(del, status, shim, apply, watch);
    }

    /** The Syntax lines without their heading: one form of the command each. */
    List<String> syntaxForms() {
        List<String> forms = new ArrayList<>();
        for (String line : syntax.split("\n")) {
            if (!line.isBlank() && !line.strip().endsWith(":")) {
                forms.add(line.strip());
            }
        }
        return forms;
    }

    /** Every name of every option of {@code spec}, in declaration order. */
    static List<String> optionNames(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            if (!option.hidden()) {
                names.addAll(List.of(option.names()));
            }
        }
        return names;
    }

    /** Whether the option is followed by a value ({@code -i eth2}) rather than a flag. */
    static boolean takesValue(OptionSpec option) {
        return option.arity().max() > 0 && !option.typeInfo().isBoolean();
    }

    private static CommandSpec spec(String simpleName) {
        try {
            Class<?> type = Class.forName(CLI + simpleName);
            Constructor<?> constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return CommandSpec.forAnnotatedObject(constructor.newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the command model " + CLI + simpleName, e);
        }
    }

    private static String constant(String simpleName, String field) {
        try {
            Field f = Class.forName(CLI + simpleName).getDeclaredField(field);
            f.setAccessible(true);
            return (String) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + CLI + simpleName + "." + field, e);
        }
    }
}
