package dev.pipework.sys;

import java.util.List;

/** The one way this program runs another: an argv, never a shell line. */
public interface CommandRunner {

    /** Runs the command to completion and captures its output. A command that cannot start gives exit status 127. */
    CommandResult run(List<String> argv);

    /** Runs the command with {@code stdin} as its standard input. */
    CommandResult run(List<String> argv, String stdin);

    /**
     * Runs the command with its output discarded, and returns its exit status. For a command that
     * leaves a process of its own behind ({@code setsid -f}): that process keeps no pipe of ours,
     * so waiting ends when the command does.
     */
    default int runDiscardingOutput(List<String> argv) {
        return run(argv).exitStatus();
    }
}
