package dev.pipework.sys;

/**
 * How a command ended: its exit status and what it printed.
 *
 * @param timedOut the runner stopped it at its bound (its status is then {@link #TIMED_OUT})
 */
public record CommandResult(int exitStatus, String stdout, String stderr, boolean timedOut) {
    /** The exit status of a command stopped at its bound, as {@code timeout(1)} gives. */
    public static final int TIMED_OUT = 124;

    /** A command that ended by itself. */
    public CommandResult(int exitStatus, String stdout, String stderr) {
        this(exitStatus, stdout, stderr, false);
    }

    public boolean succeeded() {
        return exitStatus == 0;
    }

    /** The command's own complaint, trimmed to one paragraph, or its exit status when it said nothing. */
    public String reason() {
        String text = stderr.isBlank() ? stdout : stderr;
        text = text.strip();
        return text.isEmpty() ? "exit status " + exitStatus : text;
    }
}
