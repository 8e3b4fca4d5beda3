package dev.pipework.plan;

import dev.pipework.plan.Command.Exec;

import java.util.List;
import java.util.Optional;

/** Steps that replace a file the lease keeper's clients share: written beside it, its mode set, renamed over it. */
public final class KeeperFileSteps {
    private KeeperFileSteps() {
    }

    /**
     * A file the keeper's clients share (udhcpc's hook and its arguments), replaced whole: written
     * under a name of the run's ({@code staged}), given its mode, renamed over it, so that a udhcpc
     * running the hook meanwhile sees the old file or the new one, never half of one. Each is one of
     * these steps; only the staged file is undone (others use the file). A dry run shows
     * {@code shownStaged} and {@code shown}: the name and content without this machine's Java and
     * class path (the arguments file is named by its content).
     */
    public record WriteStaged(String staged, String content, String shownStaged, String shown) implements Step.OwnPath {
        public Command command() {
            return new Command.WriteFile(staged, content);
        }

        @Override
        public List<String> argv() {
            return new Command.WriteFile(shownStaged, shown).argv();
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of("rm", "-f", staged));
        }

        public String action() {
            return "write " + staged;
        }
    }

    /** {@code chmod <mode> <path>}; a dry run shows {@code shownPath}. */
    public record ChangeMode(String path, String mode, String shownPath) implements Step {
        public Command command() {
            return Exec.of("chmod", mode, path);
        }

        @Override
        public List<String> argv() {
            return Exec.of("chmod", mode, shownPath).argv();
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "set the mode of " + path + " to " + mode;
        }
    }

    /** {@code mv -f <from> <to>}: one rename, atomic within the directory; a dry run shows the shown names. */
    public record Rename(String from, String to, String shownFrom, String shownTo) implements Step {
        public Command command() {
            return Exec.of("mv", "-f", from, to);
        }

        @Override
        public List<String> argv() {
            return Exec.of("mv", "-f", shownFrom, shownTo).argv();
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "rename " + from + " to " + to;
        }
    }
}
