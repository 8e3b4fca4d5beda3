package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * LXC containers under cgroup v1: a directory of the guest's name below the devices controller's
 * mount, whose {@code tasks} holds its processes. Like the original, this is skipped where the
 * kernel offers cgroup2.
 */
public final class LxcRuntime implements GuestRuntime {
    public static final Runtime RUNTIME = new Runtime("lxc", "LXC container", false);

    private final Path proc;

    public LxcRuntime(Path proc) {
        this.proc = proc;
    }

    public Runtime runtime() {
        return RUNTIME;
    }

    public Optional<Guest> find(String token, boolean running) {
        try {
            if (Files.readString(proc.resolve("filesystems")).contains("cgroup2")) {
                return Optional.empty();
            }
            Path mount = null;
            for (String line : Files.readAllLines(proc.resolve("mounts"))) {
                String[] f = line.split(" ");
                if (f.length >= 4 && f[2].equals("cgroup") && List.of(f[3].split(",")).contains("devices")) {
                    mount = Path.of(f[1]);
                }
            }
            if (mount == null) {
                throw PipeworkException.original("Could not locate cgroup mount point.");
            }
            List<Path> matches = new ArrayList<>();
            findDirectories(mount, token, matches, 0);
            matches.removeIf(p -> p.toString().contains("lxc.monitor"));
            if (matches.isEmpty()) {
                return Optional.empty();
            }
            if (matches.size() > 1) {
                throw PipeworkException.original("Found more than one container matching " + token + ".");
            }
            List<String> tasks = Files.readAllLines(matches.get(0).resolve("tasks"));
            if (tasks.isEmpty() || tasks.get(0).isBlank()) {
                throw PipeworkException.original("Could not find a process inside container " + token + ".");
            }
            int pid = Integer.parseInt(tasks.get(0).trim());
            Path ns = proc.resolve(Integer.toString(pid)).resolve("ns/net");
            return Optional.of(new Guest(token, RUNTIME, Optional.empty(), Optional.empty(), pid,
                    ns.toString(), GuestRuntime.inode(ns)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void findDirectories(Path dir, String name, List<Path> found, int depth) throws IOException {
        if (depth > 12) {
            return;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : children) {
                if (child.getFileName().toString().equals(name)) {
                    found.add(child);
                }
                findDirectories(child, name, found, depth + 1);
            }
        }
    }
}
