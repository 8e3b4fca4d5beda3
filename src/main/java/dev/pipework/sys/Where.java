package dev.pipework.sys;

import java.util.ArrayList;
import java.util.List;

/**
 * The network namespace a command runs in: the host's, or a guest's entered through
 * {@code nsenter --net=<path>}. The path is {@code /proc/<pid>/ns/net}, a named netns file, or
 * while a run executes, a descriptor this process holds open so that the namespace cannot change
 * under it.
 */
public record Where(String netnsPath) {
    public static final Where HOST = new Where("");

    public static Where guest(String netnsPath) {
        return new Where(netnsPath);
    }

    public boolean isHost() {
        return netnsPath.isEmpty();
    }

    public List<String> wrap(List<String> argv) {
        if (isHost()) {
            return List.copyOf(argv);
        }
        List<String> all = new ArrayList<>(argv.size() + 2);
        all.add("nsenter");
        all.add("--net=" + netnsPath);
        all.addAll(argv);
        return List.copyOf(all);
    }

    @Override
    public String toString() {
        return isHost() ? "Where[host]" : "Where[" + netnsPath + "]";
    }
}
