package dev.pipework.exec;

import dev.pipework.plan.Command;
import dev.pipework.plan.Step;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.Where;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Groups {@code ip} commands into one {@code ip -batch -}: consecutive steps whose commands are
 * {@link Command.Ip} in the same namespace, of one address family (or none), whose every word
 * survives {@code ip}'s batch reader. That reader drops everything from a {@code #} on a line,
 * splits on white space, and takes a word that starts with a quote up to the next same quote.
 */
final class IpBatch {
    private IpBatch() {
    }

    /** The steps from {@code start} on that run as one batch; a single step when none can join it. */
    static List<Step> run(List<Step> steps, int start) {
        List<Step> batch = new ArrayList<>();
        batch.add(steps.get(start));
        Optional<Command.Ip> first = batchable(steps.get(start));
        if (first.isEmpty()) {
            return batch;
        }
        Where where = first.get().where();
        Optional<?> family = first.get().family();
        for (int i = start + 1; i < steps.size(); i++) {
            Optional<Command.Ip> next = batchable(steps.get(i));
            // By the path, not the record's own equals: its start-up cost is measured in run.MachineReader.
            if (next.isEmpty() || !next.get().where().netnsPath().equals(where.netnsPath())) {
                break;
            }
            if (next.get().family().isPresent()) {
                if (family.isPresent() && !family.equals(next.get().family())) {
                    break;
                }
                family = next.get().family();
            }
            batch.add(steps.get(i));
        }
        return batch;
    }

    /** {@code [nsenter --net=<ns>] ip [-4|-6] -batch -}, the family being that of the batch's steps. */
    static List<String> command(List<Step> batch) {
        List<String> words = new ArrayList<>(List.of("ip"));
        words.addAll(options(batch));
        return ip(batch.get(0)).where().wrap(words);
    }

    /** {@code [-4|-6] -batch -}: what follows {@code ip} (and its {@code -n}) for this batch. */
    private static List<String> options(List<Step> batch) {
        List<String> words = new ArrayList<>();
        for (Step step : batch) {
            Optional<String> flag = ip(step).family().map(f -> f.ipFlag());
            if (flag.isPresent()) {
                words.add(flag.get());
                break;
            }
        }
        words.add("-batch");
        words.add("-");
        return words;
    }

    /**
     * Whether {@code ip -n} may enter a guest's namespace: where iproute2's namespace directory is
     * there for the name to climb out of, until it once could not (then not for the rest of the
     * process: the executor of every run of a watcher or a driver asks the same one; the reader's
     * {@code ip -n} falls back the same way).
     */
    static final class ByName {
        private static final ByName PROCESS = new ByName(() -> Files.isDirectory(Path.of(Where.IPROUTE2_NETNS_DIR)));

        private final BooleanSupplier allowed;
        private volatile boolean entered = true;

        ByName(BooleanSupplier allowed) {
            this.allowed = allowed;
        }

        /** The process's. */
        static ByName whereTheDirectoryIs() {
            return PROCESS;
        }

        boolean now() {
            return entered && allowed.getAsBoolean();
        }
    }

    /**
     * Runs the batch: in a guest's namespace by {@code ip}'s own {@code -n} where {@code byName}
     * allows, one program started where {@code nsenter} adds a second. Where {@code ip -n} could
     * not enter (no {@code /sys} it may mount in a mount namespace of its own, under a confining
     * security module), it failed before its first line, and {@code nsenter} runs the batch, this
     * one and those after it.
     */
    static CommandResult execute(CommandRunner runner, List<Step> batch, ByName byName) {
        String input = input(batch);
        Optional<List<String>> named = byName.now() ? commandByName(batch) : Optional.empty();
        if (named.isPresent()) {
            CommandResult result = runner.run(named.get(), input);
            if (result.succeeded() || !notEntered(result)) {
                return result;
            }
            byName.entered = false;
        }
        return runner.run(command(batch), input);
    }

    /**
     * {@code ip -n <guest> [-4|-6] -batch -}, for a batch in a guest's namespace that {@code ip}'s
     * own {@code -n} can enter ({@link Where#ipNetnsName}); none for the host's.
     */
    static Optional<List<String>> commandByName(List<Step> batch) {
        Optional<String> name = ip(batch.get(0)).where().ipNetnsName();
        if (name.isEmpty()) {
            return Optional.empty();
        }
        List<String> words = new ArrayList<>(List.of("ip", "-n", name.get()));
        words.addAll(options(batch));
        return Optional.of(words);
    }

    /**
     * Whether {@code ip -n} failed to enter the namespace, before reading a line of its batch: the
     * messages of iproute2's {@code netns_switch}, which exits with 255 (a namespace file it cannot
     * open, a mount namespace it may not make, a {@code /sys} it may not mount there).
     */
    static boolean notEntered(CommandResult result) {
        return result.exitStatus() == 255 && NOT_ENTERED.matcher(result.stderr()).lookingAt();
    }

    private static final Pattern NOT_ENTERED = Pattern.compile(
            "(Cannot open network namespace|setting the network namespace|unshare failed|\"mount --make-rslave /\" failed"
                    + "|mount of /sys failed)");

    /** The 1-based line of the batch that failed, when {@code ip} said so. */
    static OptionalInt failedLine(CommandResult result) {
        Matcher m = FAILED_LINE.matcher(result.stderr());
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    /** The result as the failed command alone would have given it: without the batch's own line. */
    static CommandResult withoutBatchMarker(CommandResult result) {
        String stderr = FAILED_LINE.matcher(result.stderr()).replaceAll("").strip();
        return new CommandResult(result.exitStatus(), result.stdout(), stderr);
    }

    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    /** The batch's lines: each command's words after {@code ip} and its family flag. */
    static String input(List<Step> batch) {
        StringBuilder lines = new StringBuilder();
        for (Step step : batch) {
            List<String> words = ip(step).words();
            for (int i = 0; i < words.size(); i++) {
                if (i > 0) {
                    lines.append(' ');
                }
                lines.append(quote(words.get(i)));
            }
            lines.append('\n');
        }
        return lines.toString();
    }

    private static Command.Ip ip(Step step) {
        return (Command.Ip) step.command();
    }

    private static Optional<Command.Ip> batchable(Step step) {
        if (!(step.command() instanceof Command.Ip ip) || ip.words().isEmpty()) {
            return Optional.empty();
        }
        for (String word : ip.words()) {
            if (!quotable(word)) {
                return Optional.empty();
            }
        }
        return Optional.of(ip);
    }

    private static boolean quotable(String word) {
        if (word.indexOf('#') >= 0 || word.indexOf('\n') >= 0 || word.indexOf('\r') >= 0 || word.endsWith("\\")) {
            return false;
        }
        return plain(word) || word.indexOf('"') < 0 || word.indexOf('\'') < 0;
    }

    private static boolean plain(String word) {
        return !word.isEmpty() && word.chars().noneMatch(Character::isWhitespace)
                && word.charAt(0) != '"' && word.charAt(0) != '\'';
    }

    private static String quote(String word) {
        if (plain(word)) {
            return word;
        }
        return word.indexOf('"') < 0 ? "\"" + word + "\"" : "'" + word + "'";
    }
}
