package dev.pipework.sys;

/**
 * A command the runner started and left running (a process that holds a namespace open, say). It
 * is still bounded: at its bound, or on {@link #close}, it and every process under it are stopped.
 */
public interface RunningProcess extends AutoCloseable {

    long pid();

    boolean alive();

    /** Stops it and what it started, if still running, and waits for it to end. */
    @Override
    void close();
}
