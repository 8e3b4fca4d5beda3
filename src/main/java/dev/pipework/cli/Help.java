package dev.pipework.cli;

import dev.pipework.guest.RuntimeResolver;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The one model of the command line's help: the picocli models of the attach form and of each
 * sub-command, the original's Syntax lines, what a guest may be, and {@link Forms}. {@code --help},
 * the usage printed on a usage error, the man page and the bash completion are all made from it.
 */
public final class Help {
    /** What a guest may be, in the order a word is looked up. */
    public static final String GUESTS = RuntimeResolver.guests();

    /** The words that select {@code ip route}, {@code ip rule} and {@code tc} inside a guest. */
    public static final List<String> GUEST_COMMANDS = List.of("route", "rule", "tc");

    /** The sub-commands' names, known without setting picocli up (a test holds them to the models). */
    static final List<String> SUBCOMMANDS = List.of("del", "status", "shim", "overlay", "apply", "watch", "driver", "pool",
            "recover");

    private static final int OPTION_COLUMN = 26;

    private Help() {
    }

    /** The original's Syntax lines, as {@code pipework} prints them when arguments are missing. */
    public static String syntax() {
        return Syntax.ORIGINAL;
    }

    /** The attach form's model. */
    public static CommandSpec attach() {
        return CommandSpec.forAnnotatedObject(new PipeworkCommand());
    }

    /** The sub-commands' models, in the order of {@link #SUBCOMMANDS}. */
    public static List<CommandSpec> subcommands() {
        return models().stream().map(CommandSpec::forAnnotatedObject).toList();
    }

    /** Fresh sub-command models, for one parse. */
    static List<Subcommand> models() {
        return List.of(new DelCommand(), new StatusCommand(), new ShimCommand(), new OverlayCommand(), new ApplyCommand(),
                new WatchCommand(), new DriverCommand(), new PoolCommand(), new RecoverCommand());
    }

    /** What {@code --help} prints: the Syntax lines, then what this tool adds, all options included. */
    public static String text() {
        StringBuilder b = new StringBuilder(Syntax.ORIGINAL).append('\n');
        wrap(b, "<guest> is " + GUESTS + "; a word is looked up in that order.", "");
        b.append('\n');
        wrap(b, "<ipaddr>/<subnet>[@default_gateway] may be a comma-separated list, at most one gateway per family:"
                + " pipework br1 web 10.0.0.5/24@10.0.0.1,fd00::5/64@fd00::1", "");
        b.append("\nMore forms:\n");
        for (CommandSpec sub : subcommands()) {
            b.append(form(sub)).append('\n');
            wrap(b, description(sub), "    ");
        }
        b.append("pipework --batch <file> [--dry-run] [-v]\n");
        wrap(b, "Runs each line of the file (- for stdin) as one invocation, in one process.", "    ");
        b.append("CNI_COMMAND=ADD ... pipework < conf.json\n");
        wrap(b, "The CNI plugin (also installed as lib/cni/pipework).", "    ");
        b.append("\nOptions:\n");
        options(b, attach());
        return b.toString();
    }

    /** The usage of one sub-command: its form and its options. */
    public static String usage(CommandSpec sub) {
        StringBuilder b = new StringBuilder("Usage: ").append(form(sub)).append('\n');
        wrap(b, description(sub), "  ");
        b.append("Options:\n");
        options(b, sub);
        b.append("pipework --help shows every form.\n");
        return b.toString();
    }

    /** {@code pipework del <guest> [-i containerinterface] [--all] ...}, from the model of a sub-command. */
    public static String form(CommandSpec spec) {
        StringBuilder b = new StringBuilder("pipework ").append(spec.name());
        for (PositionalParamSpec p : spec.positionalParameters()) {
            String label = "<" + p.paramLabel().replaceAll("^<|>$", "") + ">";
            b.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        for (OptionSpec o : visible(spec)) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            b.append(" [").append(o.shortestName());
            if (takesValue(o)) {
                b.append(' ').append(o.paramLabel());
            }
            b.append(']');
        }
        return b.toString();
    }

    /** The options shown for a model, hidden ones left out. */
    public static List<OptionSpec> visible(CommandSpec spec) {
        return spec.options().stream().filter(o -> !o.hidden()).toList();
    }

    /** Every name of every shown option of {@code spec}, in declaration order. */
    public static List<String> optionNames(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        visible(spec).forEach(o -> names.addAll(List.of(o.names())));
        return names;
    }

    /** Whether the option is followed by a value ({@code -i eth2}) rather than a flag. */
    public static boolean takesValue(OptionSpec option) {
        return option.arity().max() > 0 && !option.typeInfo().isBoolean();
    }

    /** The values an option takes, where the model names them ({@code -a}, {@code --macvlan-mode}). */
    public static List<String> values(OptionSpec option) {
        List<String> values = new ArrayList<>();
        Iterable<String> candidates = option.completionCandidates();
        if (candidates != null) {
            candidates.forEach(values::add);
        }
        return values;
    }

    public static String description(CommandSpec spec) {
        return String.join(" ", spec.usageMessage().description());
    }

    /**
     * The candidate nearest to a word mistyped (a letter left out, added, changed, or two swapped), if
     * one is near enough to be what was meant.
     */
    static Optional<String> nearest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int allowed = word.replaceFirst("^-+", "").length() <= 3 ? 1 : 2;
        return best != null && bestDistance > 0 && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static void options(StringBuilder b, CommandSpec spec) {
        for (OptionSpec o : visible(spec)) {
            String head = "  " + String.join(", ", o.names()) + (takesValue(o) ? " <" + o.paramLabel() + ">" : "");
            String what = String.join(" ", o.description());
            if (head.length() + 2 > OPTION_COLUMN) {
                b.append(head).append('\n').append(" ".repeat(OPTION_COLUMN)).append(what).append('\n');
            } else {
                b.append(String.format("%-" + OPTION_COLUMN + "s", head)).append(what).append('\n');
            }
        }
    }

    /** Text wrapped at 100 columns, each line indented. */
    private static void wrap(StringBuilder b, String text, String indent) {
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > 100) {
                b.append(line).append('\n');
                line = new StringBuilder(indent);
            } else if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        b.append(line).append('\n');
    }
}
