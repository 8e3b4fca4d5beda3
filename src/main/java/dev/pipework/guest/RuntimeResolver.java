package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.sys.CommandRunner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Resolves a guest by asking each runtime in turn. The order is the original's first (an LXC
 * container by name, then Docker by name or ID), then what this tool adds: a container plumbed as a
 * CNI plugin (by its container ID: a podman container on a pipework network is one), a podman
 * container by name or ID, a named netns, a PID. A word starting with {@code /} is a namespace file
 * and nothing else. A name known to more than one runtime is the first one's.
 */
public final class RuntimeResolver implements GuestResolver {
    private final List<GuestRuntime> runtimes;
    private final DockerRuntime docker;
    private final Consumer<String> warn;

    public RuntimeResolver(List<GuestRuntime> runtimes, DockerRuntime docker, Consumer<String> warn) {
        this.runtimes = List.copyOf(runtimes);
        this.docker = docker;
        this.warn = warn;
    }

    /** What a runtime of the machine's is made from. */
    private record Parts(DockerRuntime docker, CommandRunner runner, Path proc, Consumer<String> warn) {
    }

    /** One runtime of the machine's: what names its guests (its phrase in the help) and how it is made. */
    private record Entry(String namedBy, Function<Parts, GuestRuntime> make) {
    }

    /**
     * The machine's runtimes, in the documented order: the one place a runtime is added. The
     * namespace file comes last, as a word starting with {@code /} is looked up there only.
     */
    private static final List<Entry> MACHINE = List.of(
            new Entry(LxcRuntime.NAMED_BY, m -> new LxcRuntime(m.proc(), LxcRuntime.lxcInfo(m.runner(), System.getenv("PATH")))),
            new Entry(DockerRuntime.NAMED_BY, Parts::docker),
            new Entry(CniRuntime.NAMED_BY, m -> new CniRuntime(new CniRecords(CniRecords.DEFAULT_DIR))),
            new Entry(PodmanRuntime.NAMED_BY, m -> new PodmanRuntime(() -> Podman.detect(m.runner()), m.proc(), m.warn())),
            new Entry(NamedNetnsRuntime.NAMED_BY, m -> new NamedNetnsRuntime(Path.of("/var/run/netns"), m.warn())),
            new Entry(ProcessRuntime.NAMED_BY, m -> new ProcessRuntime(m.proc())),
            new Entry(NetnsFileRuntime.NAMED_BY, m -> new NetnsFileRuntime()));

    /** The machine's runtimes, in the documented order. */
    public static RuntimeResolver machine(DockerEngine engine, CommandRunner runner, Consumer<String> warn) {
        Path proc = Path.of("/proc");
        Parts parts = new Parts(new DockerRuntime(engine, proc, warn), runner, proc, warn);
        return new RuntimeResolver(MACHINE.stream().map(e -> e.make().apply(parts)).toList(), parts.docker(), warn);
    }

    /** What a guest may be, in the order a word is looked up: the machine's runtimes' phrases. */
    public static String guests() {
        List<String> phrases = MACHINE.stream().map(Entry::namedBy).toList();
        return String.join(", ", phrases.subList(0, phrases.size() - 1)) + ", or " + phrases.get(phrases.size() - 1);
    }

    /** A word that is no path is asked of the Docker engine, on its socket. */
    @Override
    public void prepare(String token) {
        readyFor(token);
    }

    /**
     * {@link #prepare} before the resolver is made, the engine's socket named by the environment; an
     * empty token for a run that asks the engine for every guest.
     */
    public static void readyFor(String token) {
        if (!token.startsWith("/")) {
            DockerSocketEngine.socketFromEnvironment(System.getenv()).ifPresent(UnixSockets::readyInBackground);
        }
    }

    @Override
    public Guest resolve(String token, boolean running) {
        if (token.isEmpty()) {
            throw new PipeworkException("guest name is empty: expected a container name or ID");
        }
        List<String> trouble = new ArrayList<>();
        String dockerTrouble = null;
        for (GuestRuntime runtime : runtimes) {
            if (token.startsWith("/") != (runtime instanceof NetnsFileRuntime)) {
                continue;
            }
            try {
                Optional<Guest> found = runtime.find(token, running);
                if (found.isPresent()) {
                    return HostNamespace.refuse(found.get());
                }
            } catch (GuestRuntime.Unreachable e) {
                if (runtime == docker) {
                    dockerTrouble = e.getMessage();
                } else {
                    trouble.add(e.getMessage());
                }
            }
        }
        trouble.forEach(warn);
        if (dockerTrouble != null) {
            // Docker could not be asked: that is the answer, not that the container is unknown to it.
            throw new PipeworkException(dockerTrouble);
        }
        if (!docker.engine().isAvailable()) {
            throw PipeworkException.original("Container " + token + " not found, and Docker not installed.");
        }
        throw PipeworkException.original("Container " + token + " not found, and unknown to Docker.");
    }

    @Override
    public Optional<Guest> engineContainer(String id, boolean running) {
        try {
            return docker.find(id, running).filter(g -> g.id().equals(Optional.of(id))).map(HostNamespace::refuse);
        } catch (GuestRuntime.Unreachable e) {
            throw new PipeworkException("cannot ask the engine for container " + id + ": " + e.getMessage());
        }
    }

    @Override
    public Optional<Guest> engineContainer(DockerContainer inspected) {
        try {
            return docker.guestOf(inspected).filter(g -> g.id().equals(Optional.of(inspected.id())))
                    .map(HostNamespace::refuse);
        } catch (PipeworkException e) {
            // Its namespace gone since the inspect: stopped meanwhile.
            return Optional.empty();
        }
    }

    @Override
    public List<Guest> all() {
        List<Guest> guests = new ArrayList<>();
        Map<Long, Integer> seen = new HashMap<>();
        for (GuestRuntime runtime : runtimes) {
            for (Guest g : runtime.all()) {
                Integer at = seen.putIfAbsent(g.netnsInode(), guests.size());
                if (at == null) {
                    guests.add(g);
                } else {
                    guests.set(at, named(guests.get(at), g));
                }
            }
        }
        return guests;
    }

    /**
     * A container plumbed as a CNI plugin is known to its CNI records by ID only; the engine that
     * made it (podman) knows it by the same ID and has its name and PID: listed by those.
     */
    private static Guest named(Guest first, Guest same) {
        if (!first.runtime().key().equals(CniRuntime.RUNTIME.key()) || first.id().isEmpty()
                || !first.id().equals(same.id()) || same.name().isEmpty()) {
            return first;
        }
        return new Guest(first.token(), first.runtime(), first.id(), same.name(), same.pid(), first.netnsPath(),
                first.netnsInode(), first.stableNetnsPath());
    }

    @Override
    public void verifyPinned(Guest guest) {
        // Runtimes by their key, not the record's own equals: its start-up cost is measured in run.MachineReader.
        for (GuestRuntime runtime : runtimes) {
            if (runtime.runtime().key().equals(guest.runtime().key()) && !runtime.pinProvesIdentity()) {
                runtime.verifyUnchanged(guest);
            }
        }
    }

    @Override
    public void verifyStillThere(Guest guest) {
        for (GuestRuntime runtime : runtimes) {
            if (runtime.runtime().key().equals(guest.runtime().key())) {
                runtime.verifyStillThere(guest);
            }
        }
    }

    @Override
    public void verifyUnchanged(Guest guest) {
        for (GuestRuntime runtime : runtimes) {
            if (runtime.runtime().key().equals(guest.runtime().key())) {
                runtime.verifyUnchanged(guest);
            }
        }
    }
}
