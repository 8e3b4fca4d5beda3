package dev.pipework.cni;

import java.util.function.Supplier;

/**
 * A call of the IPAM plugin run on a thread of its own while the verb goes on (its process started
 * and bounded by the runner as every command is, and stopped with the others if a signal ends the
 * verb); {@link #await} gives what it returned, or throws what it threw.
 */
final class PluginCall {
    private final Thread thread;
    private volatile String answer;
    private volatile RuntimeException failure;

    private PluginCall(Supplier<String> call) {
        thread = new Thread(() -> {
            try {
                answer = call.get();
            } catch (RuntimeException e) {
                failure = e;
            }
        }, "pipework-ipam");
        thread.setDaemon(true);
    }

    static PluginCall start(Supplier<String> call) {
        PluginCall c = new PluginCall(call);
        c.thread.start();
        return c;
    }

    /** Waits for the call to end: what it returned, or its failure thrown here. */
    String await() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
        return answer;
    }
}
