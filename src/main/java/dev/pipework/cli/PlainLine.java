package dev.pipework.cli;

import picocli.CommandLine.ITypeConverter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The command lines run most often, read once without picocli, as picocli reads them (tests hold the
 * two to the same): the attach form in the original's words, {@code status [<guest>]} and
 * {@code del <guest>}. Setting picocli's model up costs more than the rest of such a run: reading a
 * model's annotations makes one proxy class per annotation type, generated at run time and never in
 * the start-up cache. Any other line is empty here and picocli's to read (and to refuse in its words).
 *
 * @param subcommand {@code status} or {@code del} in their plain forms
 * @param attach     the attach form in the original's words
 */
record PlainLine(Optional<Subcommand> subcommand, Optional<PipeworkCommand> attach) {

    /** The line read once; at most one of the two forms is present (their numbers of words differ). */
    static PlainLine of(String[] args) {
        Optional<Subcommand> subcommand = subcommand(args);
        return new PlainLine(subcommand, subcommand.isPresent() ? Optional.empty() : attach(args));
    }

    /**
     * The guest word of a line that is about to ask the guest's runtime, for that runtime to be readied
     * first ({@link dev.pipework.guest.GuestResolver#prepare}): the attach form's, and {@code status}'s
     * and {@code del}'s (empty for {@code status} alone, which asks for every guest).
     */
    Optional<String> guestAsked() {
        if (attach.isPresent()) {
            return Optional.of(attach.get().words.get(1));
        }
        if (subcommand.isEmpty()) {
            return Optional.empty();
        }
        if (subcommand.get() instanceof DelCommand del) {
            return Optional.of(del.words.get(0));
        }
        String guest = ((StatusCommand) subcommand.get()).guest;
        return Optional.of(guest == null ? "" : guest);
    }

    /**
     * The attach form: three or four words, none an option, and the original's
     * {@code -i <containerinterface>} and {@code -l <localinterfacename>} anywhere among them.
     */
    static Optional<PipeworkCommand> attach(String[] args) {
        Optional<Words> read = Words.read(args, 0, Map.of("-i", new PipeworkCommand.ContainerInterface(),
                "-l", new PipeworkCommand.LocalInterface()), Set.of());
        if (read.isEmpty() || read.get().words().size() < 3 || read.get().words().size() > 4) {
            return Optional.empty();
        }
        PipeworkCommand command = new PipeworkCommand();
        command.words.addAll(read.get().words());
        command.containerInterface = read.get().values().get("-i");
        command.localInterface = read.get().values().get("-l");
        return Optional.of(command);
    }

    /** {@code status [<guest>]}, words alone; {@code del <guest>} with {@code -i <containerinterface>} or {@code --all}. */
    static Optional<Subcommand> subcommand(String[] args) {
        if (args.length >= 1 && args[0].equals("del")) {
            Optional<Words> read = Words.read(args, 1, Map.of("-i", new PipeworkCommand.ContainerInterface()),
                    Set.of("--all"));
            if (read.isEmpty() || read.get().words().size() != 1) {
                return Optional.empty();
            }
            DelCommand del = new DelCommand();
            del.words.addAll(read.get().words());
            del.containerInterface = read.get().values().get("-i");
            del.all = read.get().flags().contains("--all");
            return Optional.of(del);
        }
        if (args.length >= 1 && args.length <= 2 && args[0].equals("status")
                && Words.read(args, 1, Map.of(), Set.of()).isPresent()) {
            StatusCommand status = new StatusCommand();
            status.guest = args.length == 2 ? args[1] : null;
            return Optional.of(status);
        }
        return Optional.empty();
    }

    /**
     * The words of a line from {@code from} on, and the few options it may hold: each at most once, an
     * option's value a word of its own that is not an option, converted as picocli converts it.
     * Empty for any other option, an option twice, and a value refused.
     */
    private record Words(List<String> words, Map<String, String> values, Set<String> flags) {

        static Optional<Words> read(String[] args, int from, Map<String, ITypeConverter<String>> valued,
                Set<String> flagNames) {
            Words read = new Words(new ArrayList<>(), new HashMap<>(), new HashSet<>());
            for (int i = from; i < args.length; i++) {
                String word = args[i];
                ITypeConverter<String> converter = valued.get(word);
                if (converter != null) {
                    if (i + 1 == args.length || args[i + 1].startsWith("-") || read.values.containsKey(word)) {
                        return Optional.empty();
                    }
                    try {
                        read.values.put(word, converter.convert(args[++i]));
                    } catch (Exception e) {
                        return Optional.empty();
                    }
                } else if (flagNames.contains(word)) {
                    if (!read.flags.add(word)) {
                        return Optional.empty();
                    }
                } else if (word.startsWith("-")) {
                    return Optional.empty();
                } else {
                    read.words.add(word);
                }
            }
            return Optional.of(read);
        }
    }
}
