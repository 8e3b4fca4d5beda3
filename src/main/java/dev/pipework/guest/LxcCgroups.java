package dev.pipework.guest;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which cgroups are an LXC container's. A name is whatever a container's creator chose, so only the
 * places LXC itself puts a container are looked at: a cgroup elsewhere of that name may be a systemd
 * unit's ({@code ssh.service}), an engine's ({@code docker/<id>}, {@code libpod-<id>.scope}) or the
 * parent another container was started under ({@code docker run --cgroup-parent}).
 */
final class LxcCgroups {
    /** Where LXC 1 to 3.2 put a container below a v1 controller's mount. */
    private static final List<String> V1_PARENTS = List.of("lxc", "lxc.payload");

    private LxcCgroups() {
    }

    /** Whether the word can name an LXC container here: never a systemd unit's cgroup. */
    static boolean mayName(String token) {
        return !token.endsWith(".service") && !token.endsWith(".scope") && !token.endsWith(".slice")
                && !token.endsWith(".mount") && !token.endsWith(".socket");
    }

    /** The cgroups of that name that LXC made below a v1 hierarchy's root. */
    static List<Path> v1(Path root, String token) {
        List<Path> found = new ArrayList<>();
        for (String parent : V1_PARENTS) {
            Path dir = root.resolve(parent);
            Path candidate = dir.resolve(token);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && Files.isDirectory(candidate, LinkOption.NOFOLLOW_LINKS)) {
                found.add(candidate);
            }
        }
        return found;
    }

    /**
     * Whether a cgroup below a container's is one an engine made for a container of its own (a
     * Docker or podman container started with that cgroup as its parent): its processes are not the
     * LXC container's.
     */
    static boolean engines(Path cgroup) {
        String name = cgroup.getFileName().toString();
        return name.matches("[0-9a-f]{64}") || name.matches("(docker|libpod|libpod-conmon|crio|cri-containerd)-.*")
                || name.equals("docker") || name.equals("libpod_parent") || name.equals("machine.slice");
    }
}
