package dev.pipework.sys;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The network namespace a command runs in: the host's, or a guest's entered through
 * {@code nsenter --net=<path>}. The path is {@code /proc/<pid>/ns/net}, a named netns file, or
 * while a run executes, a descriptor this process holds open so that the namespace cannot change
 * under it.
 */
public record Where(String netnsPath) {
    public static final Where HOST = new Where("");

    /** iproute2's {@code NETNS_RUN_DIR}, where {@code ip -n <name>} looks for {@code <name>}. */
    public static final String IPROUTE2_NETNS_DIR = "/var/run/netns";
    /**
     * Up to here from iproute2's namespace directory ({@code /var/run/netns}, {@code /run/netns},
     * or wherever a link there leads, up to 16 levels deep) is the root: {@code ..} at the root
     * stays there.
     */
    public static final String TO_ROOT = String.join("/", java.util.Collections.nCopies(16, ".."));

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

    /**
     * The name {@code ip -n} enters this guest's namespace by, one program started where
     * {@code nsenter} adds a second: {@code -n} joins the name under iproute2's namespace directory,
     * so a path climbing out of it reaches the namespace file itself (the directory must exist for
     * the climb). None for the host, or a path {@code ip} could not take.
     */
    public Optional<String> ipNetnsName() {
        if (isHost() || !netnsPath.startsWith("/") || netnsPath.contains("\n")) {
            return Optional.empty();
        }
        return Optional.of(TO_ROOT + netnsPath);
    }

    @Override
    public String toString() {
        return isHost() ? "Where[host]" : "Where[" + netnsPath + "]";
    }
}
