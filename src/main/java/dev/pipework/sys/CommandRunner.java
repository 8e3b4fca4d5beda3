package dev.pipework.sys;

import java.time.Duration;
import java.util.List;

/**
 * The one way this program runs another: an argv, never a shell line. Every command has a bound;
 * past it, it and every process under it are stopped.
 */
public interface CommandRunner {

    /** Runs the command to completion and captures its output. A command that cannot start gives exit status 127. */
    CommandResult run(List<String> argv);

    /** Runs the command with {@code stdin} as its standard input. */
    CommandResult run(List<String> argv, String stdin);

    /**
     * Runs the command with a bound of its own on how long it may take, for the few that wait on
     * the network longer than the runner's usual bound (a DHCP client waiting for its lease).
     * {@code stdin} may be null. Runners that bound nothing ignore it.
     */
    default CommandResult run(List<String> argv, String stdin, Duration bound) {
        return stdin == null ? run(argv) : run(argv, stdin);
    }

    /**
     * Runs the command with its output discarded, and returns its exit status. For a command that
     * leaves a process of its own behind ({@code setsid -f}): that process keeps no pipe of ours,
     * so waiting ends when the command does.
     */
    default int runDiscardingOutput(List<String> argv) {
        return run(argv).exitStatus();
    }

    /**
     * Runs one command as the invocation says (input, variables, bound). A runner that cannot set
     * variables refuses an invocation that has some.
     */
    default CommandResult run(Invocation invocation) {
        if (!invocation.env().isEmpty()) {
            throw new UnsupportedOperationException("this runner sets no environment variables");
        }
        String stdin = invocation.stdin().orElse(null);
        return invocation.bound().isPresent() ? run(invocation.argv(), stdin, invocation.bound().get())
                : stdin == null ? run(invocation.argv()) : run(invocation.argv(), stdin);
    }

    /**
     * Starts a command and leaves it running, its output discarded, under the invocation's bound (or
     * the runner's): closing the handle, or the bound, stops it and every process under it.
     */
    default RunningProcess start(Invocation invocation) {
        throw new UnsupportedOperationException("this runner starts no process");
    }

    /** Stops the commands running now, and what they started: the run was told to stop. */
    default void stopRunning() {
    }
}
