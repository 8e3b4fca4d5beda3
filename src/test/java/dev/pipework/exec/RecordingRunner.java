package dev.pipework.exec;

import java.util.ArrayList;
import java.util.List;

/** A runner that records every command and fails the k-th one it runs (counting from 0), if asked to. */
public final class RecordingRunner implements CommandRunner {
    public final List<List<String>> ran = new ArrayList<>();
    public final List<List<String>> started = new ArrayList<>();
    private final int failAt;
    private final int failStatus;
    private final List<List<String>> failingUndos = new ArrayList<>();

    public RecordingRunner() {
        this(-1, 0);
    }

    public RecordingRunner(int failAt, int failStatus) {
        this.failAt = failAt;
        this.failStatus = failStatus;
    }

    /** Makes this exact command fail whenever it is run. */
    public RecordingRunner failing(List<String> argv) {
        failingUndos.add(argv);
        return this;
    }

    @Override
    public CommandResult run(List<String> argv) {
        int index = ran.size();
        ran.add(argv);
        if (index == failAt) {
            return new CommandResult(failStatus, "", "RTNETLINK answers: File exists\n");
        }
        if (failingUndos.contains(argv)) {
            return new CommandResult(1, "", "Cannot find device\n");
        }
        return new CommandResult(0, "", "");
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
        return run(argv);
    }

    @Override
    public void start(List<String> argv) {
        started.add(argv);
    }
}
