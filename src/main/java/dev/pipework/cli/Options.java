package dev.pipework.cli;

import dev.pipework.render.Renderer;
import picocli.CommandLine.Option;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;

/** Options shared by the attach form and the sub-commands, as picocli mixins. */
final class Options {
    private Options() {
    }

    /** {@code -v}: every command run, and its result, on stderr. */
    static final class Verbose {
        /** Its names; before picocli has read the line (logging is set up first), they are looked for here. */
        static final java.util.List<String> NAMES = java.util.List.of("-v", "--verbose");

        @Option(names = {"-v", "--verbose"}, description = "show every command run, and its result, on stderr")
        boolean verbose;

        /** Whether the command line asks for {@code -v}, wherever it stands. */
        static boolean requested(String... args) {
            for (String a : args) {
                if (NAMES.contains(a)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Marks an option (or a mixin, all its options) that says how one invocation runs or shows its
     * result rather than what it attaches: a declaration (a label, a line of the attachments file)
     * cannot carry it.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.TYPE})
    @interface NotDeclarable {
    }

    /** {@code --dry-run}: print the commands, change nothing. */
    @NotDeclarable
    static final class DryRun {
        @Option(names = "--dry-run", description = "print the commands, change nothing")
        boolean dryRun;
    }

    /** {@code --config}: the attachments file of {@code apply} and {@code watch}. */
    static final class Config {
        @Option(names = "--config", paramLabel = "file",
                description = "the attachments file (default /etc/pipework/attachments)")
        java.nio.file.Path file = dev.pipework.watch.AttachmentsFile.DEFAULT;

        @Option(names = "--policy", paramLabel = "file",
                description = "what labels may ask of the host (default /etc/pipework/watch.conf)")
        java.nio.file.Path policy = dev.pipework.watch.DeclarationPolicy.DEFAULT;
    }

    /** The output format: text unless one of these asks for another. */
    @NotDeclarable
    static final class Output {
        @Option(names = "--json", description = "print the result as a JSON document")
        boolean json;

        /** The format these options chose on their part of the line, if any. */
        Optional<Renderer.Format> format() {
            return json ? Optional.of(Renderer.Format.JSON) : Optional.empty();
        }
    }
}
