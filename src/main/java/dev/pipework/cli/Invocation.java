package dev.pipework.cli;

import dev.pipework.render.Renderer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

import java.util.Optional;

/**
 * What the options shared by every form chose, read once from the whole command line (before a
 * sub-command's name or after it): print instead of change, the output format, and {@code -v}.
 */
record Invocation(boolean dryRun, Renderer renderer, boolean verbose) {

    /** The plain attach form, whose words picocli never read. */
    static final Invocation PLAIN = new Invocation(false, Renderer.of(Renderer.Format.TEXT), false);

    static Invocation of(ParseResult parsed) {
        return new Invocation(given(parsed, "--dry-run"), Renderer.of(format(parsed)), given(parsed, "--verbose"));
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

    /** The format the output mixin chose, the sub-command's part of the line over the part before its name. */
    static Renderer.Format format(ParseResult parsed) {
        Renderer.Format format = Renderer.Format.TEXT;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            for (CommandSpec mixin : p.commandSpec().mixins().values()) {
                if (mixin.userObject() instanceof Options.Output output) {
                    format = output.format().orElse(format);
                }
            }
        }
        return format;
    }
}
