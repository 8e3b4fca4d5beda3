package dev.pipework.sys;

/** How a command ended: its exit status and what it printed. */
public record CommandResult(int exitStatus, String stdout, String stderr) {

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
