package dev.pipework.cli;

import dev.pipework.render.Renderer;
import picocli.CommandLine.ParseResult;

import java.util.Optional;

/**
 * What the options shared by every form chose, read once from the whole command line (before a
 * sub-command's name or after it): print instead of change, the output format, and {@code -v}.
 */
record Invocation(boolean dryRun, Renderer renderer, boolean verbose) {

    /** The plain attach form, whose words picocli never read. */
    static final Invocation PLAIN = new Invocation(false, Renderer.of(false), false);

    static Invocation of(ParseResult parsed) {
        return new Invocation(given(parsed, "--dry-run"), Renderer.of(given(parsed, "--json")),
                given(parsed, "--verbose"));
    }

    /** Where the interface an attach made is shown, if the format shows it. */
    Optional<Renderer> result() {
        return renderer.showsResult() ? Optional.of(renderer) : Optional.empty();
    }

    private static boolean given(ParseResult parsed, String option) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(option)) {
                return true;
            }
        }
        return false;
    }
}
