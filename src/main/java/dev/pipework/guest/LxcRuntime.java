package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Runtime;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * LXC containers, by name, looked for in this order:
 * <ol>
 * <li>the original's, narrowed to the cgroups LXC makes: {@code lxc/<name>} (LXC 1 to 3.0) or
 *     {@code lxc.payload/<name>} (LXC 3.1 to 3.2) below the cgroup v1 {@code devices} controller's
 *     mount; its {@code tasks} give the PID. The original took a cgroup of that name anywhere, so a
 *     container named like a systemd unit or like another container's cgroup parent was found
 *     there (see {@link LxcCgroups});</li>
 * <li>LXC 4 and later: {@code lxc.payload.<name>} below the {@code devices} controller, else below a
 *     cgroup2 mount (cgroup v2, or the unified hierarchy of a hybrid machine); its
 *     {@code cgroup.procs} give the PID;</li>
 * <li>{@code lxc-info -n <name> -pH}, where the LXC tools are installed and LXC knows a container
 *     of that name ({@code /var/lib/lxc/<name>/config}): a lookup of any other guest (a Docker
 *     container, say) starts no process here (the original asks {@code lxc-info} when a cgroup
 *     it found has no process).</li>
 * </ol>
 * A process is taken from the container's cgroup or a child cgroup of its own, never from one an
 * engine made below it. Once the guest's namespace is held
 * open, the container is looked up again: the same PID, in the same namespace, or nothing is done.
 */
public final class LxcRuntime implements GuestRuntime {
    public static final Runtime RUNTIME = new Runtime("lxc", "LXC container", false);

    /** What names such a guest, as {@code --help} says it. */
    public static final String NAMED_BY = "an LXC container name";
    static final String PAYLOAD = "lxc.payload.";

    /** The PID of a running LXC container's init, as the LXC tools report it. */
    @FunctionalInterface
    public interface LxcInfo {
        /** No LXC tools: nothing is known this way. */
        LxcInfo NONE = name -> OptionalInt.empty();

        /** Empty when no such container runs. */
        OptionalInt pid(String name);
    }

    private final Path proc;
    private final LxcInfo info;

    /** Cgroups only, no LXC tools. */
    public LxcRuntime(Path proc) {
        this(proc, LxcInfo.NONE);
    }

    public LxcRuntime(Path proc, LxcInfo info) {
        this.proc = proc;
        this.info = info;
    }

    /** LXC's default {@code lxc.lxcpath}, where each container has a directory of its name. */
    public static final Path LXC_PATH = Path.of("/var/lib/lxc");

    /** {@link #lxcInfo(CommandRunner, String, Path)} for containers under {@link #LXC_PATH}. */
    public static LxcInfo lxcInfo(CommandRunner runner, String pathEnv) {
        return lxcInfo(runner, pathEnv, LXC_PATH);
    }

    /**
     * {@code lxc-info -n <name> -pH} through this runner, for a name that has a container
     * configuration under {@code lxcPath}; {@link LxcInfo#NONE} where the program is not on
     * {@code pathEnv}.
     */
    public static LxcInfo lxcInfo(CommandRunner runner, String pathEnv, Path lxcPath) {
        Optional<Path> program = DockerCliEngine.findOnPath("lxc-info", pathEnv);
        if (program.isEmpty()) {
            return LxcInfo.NONE;
        }
        String command = program.get().toString();
        return name -> {
            if (!Files.isRegularFile(lxcPath.resolve(name).resolve("config"))) {
                return OptionalInt.empty();
            }
            CommandResult r = runner.run(List.of(command, "-n", name, "-pH"));
            String out = r.stdout().strip();
            return r.succeeded() && out.matches("[0-9]{1,9}") ? OptionalInt.of(Integer.parseInt(out)) : OptionalInt.empty();
        };
    }

    public Runtime runtime() {
        return RUNTIME;
    }

    public Optional<Guest> find(String token, boolean running) {
        if (token.isEmpty() || token.contains("/") || token.equals(".") || token.equals("..")) {
            return Optional.empty();
        }
        if (!LxcCgroups.mayName(token)) {
            return Optional.empty();
        }
        Hierarchies h = hierarchies();
        if (h.devices.isPresent()) {
            List<Path> plain = LxcCgroups.v1(h.devices.get(), token);
            if (plain.size() > 1) {
                throw PipeworkException.original("Found more than one container matching " + token + ".");
            }
            if (plain.size() == 1) {
                OptionalInt pid = firstPid(plain.get(0));
                if (pid.isEmpty()) {
                    pid = info.pid(token);
                }
                if (pid.isEmpty()) {
                    throw PipeworkException.original("Could not find a process inside container " + token + ".");
                }
                return Optional.of(guest(token, pid.getAsInt()));
            }
        }
        // LXC 4 and later (rootful) make lxc.payload.<name> at the top of each hierarchy: a look
        // at that one path, where a walk of every cgroup would cost each lookup of any guest.
        for (Path root : h.roots()) {
            Path payload = root.resolve(PAYLOAD + token);
            if (Files.isDirectory(payload, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                OptionalInt pid = firstPid(payload);
                if (pid.isPresent()) {
                    return Optional.of(guest(token, pid.getAsInt()));
                }
            }
        }
        OptionalInt pid = info.pid(token);
        if (pid.isPresent() && Files.exists(netns(pid.getAsInt()))) {
            return Optional.of(guest(token, pid.getAsInt()));
        }
        return Optional.empty();
    }

    /** The running containers of LXC 4 and later: each {@code lxc.payload.<name>} cgroup with a process. */
    @Override
    public List<Guest> all() {
        List<Guest> guests = new ArrayList<>();
        List<Path> roots = hierarchies().roots();
        if (roots.isEmpty()) {
            return guests;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(roots.get(0),
                p -> p.getFileName().toString().startsWith(PAYLOAD) && Files.isDirectory(p))) {
            List<Path> sorted = new ArrayList<>();
            children.forEach(sorted::add);
            sorted.sort(null);
            for (Path dir : sorted) {
                String name = dir.getFileName().toString().substring(PAYLOAD.length());
                try {
                    OptionalInt pid = firstPid(dir);
                    if (pid.isPresent()) {
                        guests.add(guest(name, pid.getAsInt()));
                    }
                } catch (PipeworkException e) {
                    // stopped meanwhile
                }
            }
        } catch (IOException e) {
            // no cgroup to list
        }
        return guests;
    }

    /**
     * Looks the container up again: a container stopped, or stopped and started again, has another
     * PID (or none); a PID reused by another process is in another namespace.
     */
    @Override
    public void verifyUnchanged(Guest guest) {
        Optional<Guest> now;
        try {
            now = find(guest.token(), true);
        } catch (PipeworkException e) {
            now = Optional.empty();
        }
        if (now.isEmpty() || now.get().pid() != guest.pid() || now.get().netnsInode() != guest.netnsInode()) {
            throw new PipeworkException("container \"" + guest.token() + "\" stopped or restarted while it was being"
                    + " plumbed (its PID was " + guest.pid() + "); nothing was changed");
        }
    }

    private Guest guest(String token, int pid) {
        Path ns = netns(pid);
        return new Guest(token, RUNTIME, Optional.empty(), Optional.empty(), pid, ns.toString(), GuestRuntime.inode(ns));
    }

    private Path netns(int pid) {
        return proc.resolve(Integer.toString(pid)).resolve("ns/net");
    }

    /**
     * Where cgroups are mounted: the last v1 mount with the {@code devices} controller (as the
     * original picks it) and the cgroup2 mounts. Neither, on a kernel without cgroup2: the original's
     * refusal.
     */
    private Hierarchies hierarchies() {
        Path devices = null;
        List<Path> unified = new ArrayList<>();
        List<String> mounts;
        try {
            mounts = Files.readAllLines(proc.resolve("mounts"));
        } catch (IOException e) {
            mounts = List.of();
        }
        for (String line : mounts) {
            String[] f = line.split(" ");
            if (f.length >= 4 && f[2].equals("cgroup") && List.of(f[3].split(",")).contains("devices")) {
                devices = Path.of(unescape(f[1]));
            } else if (f.length >= 3 && f[2].equals("cgroup2")) {
                unified.add(Path.of(unescape(f[1])));
            }
        }
        if (devices == null && unified.isEmpty() && !kernelHasCgroup2()) {
            throw PipeworkException.original("Could not locate cgroup mount point.");
        }
        return new Hierarchies(Optional.ofNullable(devices), unified);
    }

    private boolean kernelHasCgroup2() {
        try {
            return Files.readString(proc.resolve("filesystems")).contains("cgroup2");
        } catch (IOException e) {
            return false;
        }
    }

    /** /proc/mounts writes a space in a path as {@code \040}. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /**
     * The first process of a cgroup ({@code tasks} in v1, as the original reads it, else
     * {@code cgroup.procs}), or of the first of its descendants that has one (under cgroup v2 a
     * container may keep its processes in child cgroups).
     */
    static OptionalInt firstPid(Path cgroup) {
        for (String file : List.of("tasks", "cgroup.procs")) {
            try {
                for (String line : Files.readAllLines(cgroup.resolve(file))) {
                    if (line.strip().matches("[0-9]{1,9}")) {
                        return OptionalInt.of(Integer.parseInt(line.strip()));
                    }
                }
                break;
            } catch (IOException e) {
                // not this file
            }
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(cgroup,
                p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !LxcCgroups.engines(p))) {
            dirs.forEach(children::add);
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        children.sort(null);
        for (Path child : children) {
            OptionalInt pid = firstPid(child);
            if (pid.isPresent()) {
                return pid;
            }
        }
        return OptionalInt.empty();
    }

    private record Hierarchies(Optional<Path> devices, List<Path> unified) {
        /** Where {@code lxc.payload.<name>} is looked for, in order. */
        List<Path> roots() {
            List<Path> roots = new ArrayList<>();
            devices.ifPresent(roots::add);
            roots.addAll(unified);
            return roots;
        }
    }
}
