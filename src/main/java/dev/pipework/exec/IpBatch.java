package dev.pipework.exec;

import dev.pipework.plan.Step;

import java.util.ArrayList;
import java.util.List;

/**
 * Groups {@code ip} steps into one {@code ip -batch -}. A step qualifies when its command is
 * {@code [nsenter --net=<ns>] ip [-4|-6] <object> ...} (not {@code ip netns exec}, which runs
 * another program), and every word survives {@code ip}'s batch reader: it drops everything from a
 * {@code #} on a line, splits on white space, and takes a word that starts with a quote up to the
 * next same quote.
 */
final class IpBatch {
    private IpBatch() {
    }

    /** The steps from {@code start} on that run as one batch; a single step when none can join it. */
    static List<Step> run(List<Step> steps, int start) {
        List<Step> batch = new ArrayList<>();
        batch.add(steps.get(start));
        Key key = key(steps.get(start));
        if (key == null) {
            return batch;
        }
        for (int i = start + 1; i < steps.size(); i++) {
            Step next = steps.get(i);
            Key k = key(next);
            if (k == null || !k.prefix.equals(key.prefix)) {
                break;
            }
            if (!k.family.isEmpty()) {
                if (!key.family.isEmpty() && !key.family.equals(k.family)) {
                    break;
                }
                key = new Key(key.prefix, k.family);
            }
            batch.add(next);
        }
        return batch;
    }

    /** {@code [nsenter --net=<ns>] ip [-4|-6] -batch -}, the family being that of the batch's steps. */
    static List<String> command(List<Step> batch) {
        List<String> command = new ArrayList<>(key(batch.get(0)).prefix);
        command.add("ip");
        for (Step step : batch) {
            String family = key(step).family;
            if (!family.isEmpty()) {
                command.add(family);
                break;
            }
        }
        command.add("-batch");
        command.add("-");
        return command;
    }

    /** The batch's lines: each step's words after {@code ip} and its family flag. */
    static String input(List<Step> batch) {
        StringBuilder lines = new StringBuilder();
        for (Step step : batch) {
            List<String> words = words(step);
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

    private record Key(List<String> prefix, String family) {
    }

    private static Key key(Step step) {
        List<String> argv = step.argv();
        int ip = 0;
        if (argv.size() > 2 && argv.get(0).equals("nsenter") && argv.get(1).startsWith("--net=")) {
            ip = 2;
        }
        if (argv.size() < ip + 2 || !argv.get(ip).equals("ip")) {
            return null;
        }
        String family = "";
        int object = ip + 1;
        if (argv.get(object).equals("-4") || argv.get(object).equals("-6")) {
            family = argv.get(object);
            object++;
        }
        if (object >= argv.size() || argv.get(object).startsWith("-") || argv.get(object).equals("netns")) {
            return null;
        }
        for (String word : argv.subList(object, argv.size())) {
            if (!quotable(word)) {
                return null;
            }
        }
        return new Key(List.copyOf(argv.subList(0, ip)), family);
    }

    private static List<String> words(Step step) {
        List<String> argv = step.argv();
        int i = argv.get(0).equals("nsenter") ? 3 : 1;
        if (argv.get(i).equals("-4") || argv.get(i).equals("-6")) {
            i++;
        }
        return argv.subList(i, argv.size());
    }

    private static boolean quotable(String word) {
        if (word.indexOf('#') >= 0 || word.indexOf('\n') >= 0 || word.indexOf('\r') >= 0 || word.endsWith("\\")) {
            return false;
        }
        boolean plain = !word.isEmpty() && word.chars().noneMatch(Character::isWhitespace)
                && word.charAt(0) != '"' && word.charAt(0) != '\'';
        return plain || word.indexOf('"') < 0 || word.indexOf('\'') < 0;
    }

    private static String quote(String word) {
        boolean plain = !word.isEmpty() && word.chars().noneMatch(Character::isWhitespace)
                && word.charAt(0) != '"' && word.charAt(0) != '\'';
        if (plain) {
            return word;
        }
        return word.indexOf('"') < 0 ? "\"" + word + "\"" : "'" + word + "'";
    }
}
