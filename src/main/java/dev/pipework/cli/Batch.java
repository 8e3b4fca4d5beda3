package dev.pipework.cli;

import dev.pipework.model.PipeworkException;
import dev.pipework.run.Services;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --batch <file>}: each non-empty line not starting with {@code #} holds the arguments of one
 * invocation, split into words as a shell would but without expansion. All lines run in this one
 * process; each succeeds or fails on its own, and its messages are prefixed with its line number.
 */
final class Batch {
    private final Services services;
    private final PrintStream out;
    private final PrintStream err;

    Batch(Services services, PrintStream out, PrintStream err) {
        this.services = services;
        this.out = out;
        this.err = err;
    }

    int run(PipeworkCommand command, Invocation how) {
        if (!command.words.isEmpty()) {
            throw new PipeworkException("--batch takes its invocations from the file; unexpected argument \""
                    + command.words.get(0) + "\"");
        }
        List<String> lines = read(command.batch);
        List<Integer> failed = new ArrayList<>();
        int ran = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int number = i + 1;
            PrintStream lineErr = LinePrefixStream.wrap(err, "line " + number + ": ");
            int status;
            try {
                List<String> words = new ArrayList<>();
                if (how.dryRun()) {
                    words.add("--dry-run");
                }
                if (how.verbose()) {
                    words.add("-v");
                }
                List<String> split = ShellSplitter.split(line);
                if (split.stream().anyMatch(Batch::isBatchOption)) {
                    throw new PipeworkException("--batch cannot be nested");
                }
                words.addAll(split);
                status = new Pipework(services, out, lineErr).run(words.toArray(String[]::new));
            } catch (RuntimeException e) {
                status = Pipework.report(e, lineErr, false);
            }
            lineErr.flush();
            ran++;
            if (status != 0) {
                failed.add(number);
            }
        }
        if (!failed.isEmpty()) {
            err.println("pipework: " + failed.size() + " of " + ran + " lines failed (" + (failed.size() == 1 ? "line " : "lines ")
                    + failed.toString().replaceAll("[\\[\\]]", "") + ")");
            return 1;
        }
        return 0;
    }

    /** {@code --batch FILE} and {@code --batch=FILE}: picocli reads both. */
    private static boolean isBatchOption(String word) {
        return word.equals("--batch") || word.startsWith("--batch=");
    }

    private static List<String> read(String source) {
        try {
            if (source.equals("-")) {
                return new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            }
            return Files.readAllLines(Path.of(source));
        } catch (IOException e) {
            throw new PipeworkException("cannot read batch file \"" + source + "\": " + e.getMessage());
        }
    }
}
