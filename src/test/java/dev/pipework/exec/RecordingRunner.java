package dev.pipework.exec;

import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;

import java.util.ArrayList;
import java.util.List;

/**
 * A runner that records every command and fails the k-th one it runs (counting from 0), if asked to.
 * An {@code ip -batch -} counts as the commands of its lines, each recorded as {@code ip <line>} (the
 * family flag dropped), and fails at its k-th line the way ip does: {@code Command failed -:<line>}.
 */
public final class RecordingRunner implements CommandRunner {
    public final List<List<String>> ran = new ArrayList<>();
    private final int failAt;
    private final int failStatus;
    private final List<List<String>> failingUndos = new ArrayList<>();
    private final java.util.Map<List<String>, String> failingWith = new java.util.HashMap<>();

    public RecordingRunner() {
        this(-1, 0);
    }

    public RecordingRunner(int failAt, int failStatus) {
        this.failAt = failAt;
        this.failStatus = failStatus;
    }

    /** Makes this exact command fail whenever it is run, as a link not there does: {@code Cannot find device}. */
    public RecordingRunner failing(List<String> argv) {
        failingUndos.add(argv);
        return this;
    }

    /** Makes this exact command fail whenever it is run, with this message. */
    public RecordingRunner failingWith(List<String> argv, String stderr) {
        failingWith.put(argv, stderr);
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
        if (failingWith.containsKey(argv)) {
            return new CommandResult(2, "", failingWith.get(argv) + "\n");
        }
        return new CommandResult(0, "", "");
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
        int batch = argv.indexOf("-batch");
        if (batch < 0 || stdin == null) {
            return run(argv);
        }
        List<String> prefix = new ArrayList<>(argv.subList(0, batch));
        prefix.removeIf(w -> w.equals("-4") || w.equals("-6"));
        List<String> lines = stdin.lines().toList();
        for (int j = 0; j < lines.size(); j++) {
            List<String> one = new ArrayList<>(prefix);
            one.addAll(List.of(lines.get(j).trim().split("\\s+")));
            int index = ran.size();
            ran.add(one);
            if (index == failAt) {
                return new CommandResult(failStatus, "", "RTNETLINK answers: File exists\nCommand failed -:" + (j + 1) + "\n");
            }
        }
        return new CommandResult(0, "", "");
    }
}
