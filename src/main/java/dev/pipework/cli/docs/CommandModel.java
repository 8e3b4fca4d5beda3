package dev.pipework.cli.docs;

import dev.pipework.cli.Forms;
import dev.pipework.cli.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line as the documentation generators read it, from {@link Help}, the model that
 * {@code --help} and the usage of a usage error come from too: the picocli models of the attach
 * form and of each sub-command, the Syntax lines, what a guest may be, and every form with examples.
 */
final class CommandModel {
    /** The words that select {@code ip route}, {@code ip rule} and {@code tc} inside a guest. */
    static final List<String> GUEST_COMMANDS = Help.GUEST_COMMANDS;

    final CommandSpec attach;
    private final List<CommandSpec> subcommands;
    /** The original's Syntax lines, as {@code pipework} prints them. */
    final String syntax;
    /** What a guest may be, in the order a word is looked up. */
    final String guests;
    final List<Forms.Form> forms;

    private CommandModel(CommandSpec attach, List<CommandSpec> subcommands, String syntax, String guests,
                         List<Forms.Form> forms) {
        this.attach = attach;
        this.subcommands = subcommands;
        this.syntax = syntax;
        this.guests = guests;
        this.forms = forms;
    }

    static CommandModel load() {
        return new CommandModel(Help.attach(), Help.subcommands(), Help.syntax(), Help.GUESTS, Forms.ALL);
    }

    /** The sub-commands with a model of their own. */
    List<CommandSpec> subcommands() {
        return subcommands;
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
        return Help.optionNames(spec);
    }

    /** Whether the option is followed by a value ({@code -i eth2}) rather than a flag. */
    static boolean takesValue(OptionSpec option) {
        return Help.takesValue(option);
    }
}
