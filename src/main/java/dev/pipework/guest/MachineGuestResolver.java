package dev.pipework.guest;

import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Resolves a guest in the original's order (LXC cgroup by name, then Docker by name or ID), then
 * the forms this tool adds: a named netns, a PID, a namespace file path.
 */
public final class MachineGuestResolver implements GuestResolver {
    private static final int DOCKER_PID_TRIES = 3;

    private final DockerEngine docker;
    private final Path proc;
    private final Path netnsDir;
    private final Consumer<String> warn;

    public MachineGuestResolver(DockerEngine docker, Consumer<String> warn) {
        this(docker, Path.of("/proc"), Path.of("/var/run/netns"), warn);
    }

    public MachineGuestResolver(DockerEngine docker, Path proc, Path netnsDir, Consumer<String> warn) {
        this.docker = docker;
        this.proc = proc;
        this.netnsDir = netnsDir;
        this.warn = warn;
    }

    @Override
    public Guest resolve(String token, boolean running) {
        if (token.isEmpty()) {
            throw new PipeworkException("guest name is empty: expected a container name or ID");
        }
        if (token.startsWith("/")) {
            return fromFile(token, Guest.Kind.NETNS_FILE, Path.of(token));
        }
        Optional<Guest> lxc = lxc(token);
        if (lxc.isPresent()) {
            return lxc.get();
        }
        String dockerTrouble = null;
        if (docker.isAvailable()) {
            try {
                Optional<Guest> container = docker(token, running);
                if (container.isPresent()) {
                    return container.get();
                }
            } catch (DockerException e) {
                dockerTrouble = e.getMessage();
            }
        }
        Path named = netnsDir.resolve(token);
        if (!token.contains("/") && !token.startsWith(".") && Files.exists(named)) {
            return fromFile(token, Guest.Kind.NETNS, named);
        }
        if (token.chars().allMatch(Character::isDigit) && token.length() < 10) {
            Path ns = proc.resolve(token).resolve("ns/net");
            if (Files.exists(ns)) {
                return new Guest(token, Guest.Kind.PROCESS, Optional.empty(), Optional.empty(),
                        Integer.parseInt(token), ns.toString(), inode(ns));
            }
        }
        if (dockerTrouble != null) {
            warn.accept(dockerTrouble);
        }
        if (!docker.isAvailable()) {
            throw PipeworkException.original("Container " + token + " not found, and Docker not installed.");
        }
        throw PipeworkException.original("Container " + token + " not found, and unknown to Docker.");
    }

    @Override
    public List<Guest> all() {
        List<Guest> guests = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        if (docker.isAvailable()) {
            try {
                for (String id : docker.runningIds()) {
                    try {
                        docker(id, false).filter(g -> g.pid() > 0 && seen.add(g.netnsInode())).ifPresent(guests::add);
                    } catch (PipeworkException e) {
                        // gone meanwhile
                    }
                }
            } catch (DockerException e) {
                warn.accept(e.getMessage());
            }
        }
        if (Files.isDirectory(netnsDir)) {
            try (DirectoryStream<Path> names = Files.newDirectoryStream(netnsDir)) {
                List<Path> sorted = new ArrayList<>();
                names.forEach(sorted::add);
                sorted.sort(null);
                for (Path named : sorted) {
                    try {
                        Guest g = fromFile(named.getFileName().toString(), Guest.Kind.NETNS, named);
                        if (seen.add(g.netnsInode())) {
                            guests.add(g);
                        }
                    } catch (PipeworkException e) {
                        // not a namespace (a stale file)
                    }
                }
            } catch (IOException e) {
                warn.accept("cannot list " + netnsDir + ": " + e.getMessage());
            }
        }
        return guests;
    }

    private Optional<Guest> docker(String token, boolean running) throws DockerException {
        for (int attempt = 1; ; attempt++) {
            Optional<DockerContainer> found = docker.inspect(token);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            DockerContainer c = found.get();
            if (c.pid() == 0 && !running) {
                return Optional.of(new Guest(token, Guest.Kind.DOCKER, Optional.of(c.id()), Optional.of(c.name()),
                        0, "", 0));
            }
            if (c.pid() != 0) {
                Path ns = proc.resolve(Integer.toString(c.pid())).resolve("ns/net");
                return Optional.of(new Guest(token, Guest.Kind.DOCKER, Optional.of(c.id()), Optional.of(c.name()),
                        c.pid(), ns.toString(), inode(ns)));
            }
            // A container that is starting has no PID yet; the original asks three times, a second apart.
            if (attempt >= DOCKER_PID_TRIES) {
                throw PipeworkException.original("Docker inspect returned invalid PID 0");
            }
            sleep();
        }
    }

    /**
     * LXC containers under cgroup v1: a directory of the guest's name below the devices controller's
     * mount, whose {@code tasks} holds its processes. Like the original, this is skipped where the
     * kernel offers cgroup2.
     */
    private Optional<Guest> lxc(String token) {
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
            return Optional.of(new Guest(token, Guest.Kind.LXC, Optional.empty(), Optional.empty(), pid,
                    ns.toString(), inode(ns)));
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

    private Guest fromFile(String token, Guest.Kind kind, Path file) {
        if (!Files.exists(file)) {
            throw new PipeworkException("network namespace file \"" + file + "\" does not exist");
        }
        return new Guest(token, kind, Optional.empty(), Optional.empty(), 0, file.toString(), inode(file));
    }

    static long inode(Path nsFile) {
        try {
            Object ino = Files.getAttribute(nsFile, "unix:ino");
            return ((Number) ino).longValue();
        } catch (IOException | RuntimeException e) {
            throw new PipeworkException("cannot read network namespace \"" + nsFile + "\": " + e.getMessage());
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
