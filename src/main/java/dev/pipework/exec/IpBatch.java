package dev.pipework.exec;

import dev.pipework.plan.Command;
import dev.pipework.plan.Step;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
        for (Step step : batch) {
            Optional<String> flag = ip(step).family().map(f -> f.ipFlag());
            if (flag.isPresent()) {
                words.add(flag.get());
                break;
            }
        }
        words.add("-batch");
        words.add("-");
        return ip(batch.get(0)).where().wrap(words);
    }

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
