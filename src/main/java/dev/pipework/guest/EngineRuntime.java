package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Runtime;
import dev.pipework.sys.Parallel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Containers of an engine that answers Docker's Engine API or CLI (Docker, podman), by name or ID:
 * the network namespace of the container's init process. Once that namespace is held open, the
 * container is asked for again by its full ID: the same PID, still running, or nothing is done.
 */
abstract class EngineRuntime implements GuestRuntime {
    private static final int PID_TRIES = 3;

    private final Runtime runtime;
    private final String program;
    private final Supplier<DockerEngine> engine;
    private final Path proc;
    private final Consumer<String> warn;

    /**
     * @param program how the PID-0 message names the engine's inspect ({@code Docker}, as the original)
     * @param engine  asked for the first time when a guest is looked up
     */
    EngineRuntime(Runtime runtime, String program, Supplier<DockerEngine> engine, Path proc, Consumer<String> warn) {
        this.runtime = runtime;
        this.program = program;
        this.engine = engine;
        this.proc = proc;
        this.warn = warn;
    }

    public Runtime runtime() {
        return runtime;
    }

    public DockerEngine engine() {
        return engine.get();
    }

    /** Asks the engine; an engine that does not answer is {@link GuestRuntime.Unreachable}, not the end of the lookup. */
    public Optional<Guest> find(String token, boolean running) {
        if (!engine().isAvailable()) {
            return Optional.empty();
        }
        try {
            return container(token, running);
        } catch (DockerException e) {
            throw new GuestRuntime.Unreachable(e.getMessage());
        }
    }

    private Optional<Guest> running(String id) {
        try {
            return container(id, false).filter(g -> g.pid() > 0);
        } catch (PipeworkException | DockerException e) {
            // gone meanwhile
            return Optional.empty();
        }
    }

    private Optional<Guest> container(String token, boolean running) throws DockerException {
        for (int attempt = 1; ; attempt++) {
            Optional<DockerContainer> found = engine().inspect(token);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            DockerContainer c = found.get();
            if (c.pid() == 0 && !running) {
                return Optional.of(new Guest(token, runtime, Optional.of(c.id()), Optional.of(name(c)), 0, "", 0));
            }
            if (c.pid() != 0) {
                return Optional.of(guest(token, c));
            }
            // A container that is starting has no PID yet; the original asks three times, a second apart.
            if (attempt >= PID_TRIES) {
                throw PipeworkException.original(program + " inspect returned invalid PID 0");
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PipeworkException.original(program + " inspect returned invalid PID 0");
            }
        }
    }

    /** Docker's API and CLI give the name with a leading slash, podman's CLI without. */
    private static String name(DockerContainer c) {
        return c.name().startsWith("/") ? c.name() : "/" + c.name();
    }

    /** The guest of a container the engine gave a PID, named by {@code token}. */
    private Guest guest(String token, DockerContainer c) {
        Path ns = proc.resolve(Integer.toString(c.pid())).resolve("ns/net");
        return new Guest(token, runtime, Optional.of(c.id()), Optional.of(name(c)), c.pid(), ns.toString(),
                GuestRuntime.inode(ns));
    }

    /**
     * The guest of a running container as an inspect already made gives it, named by its ID (as
     * {@code find} of that ID names it): none without a PID.
     */
    public Optional<Guest> guestOf(DockerContainer inspected) {
        return inspected.pid() > 0 ? Optional.of(guest(inspected.id(), inspected)) : Optional.empty();
    }

    @Override
    public List<Guest> all() {
        List<Guest> guests = new ArrayList<>();
        if (!engine().isAvailable()) {
            return guests;
        }
        try {
            // One inspect a container (the list does not give PIDs), a few at once.
            for (Optional<Guest> g : Parallel.map(engine().runningIds(), this::running)) {
                g.ifPresent(guests::add);
            }
        } catch (DockerException e) {
            warn.accept(e.getMessage());
        }
        return guests;
    }

    /**
     * The engine named the container's PID, and the namespace of that PID was read at once: the
     * pinned namespace having that inode, it is the container's. A container that stopped or
     * restarted meanwhile left its PID to nobody or to a process of another namespace (PIDs are
     * handed out in turn, so not again within that instant), which the pin refuses; asking the
     * engine again adds a round trip and no proof.
     */
    @Override
    public boolean pinProvesIdentity() {
        return true;
    }

    /** The container's init process still in the namespace plumbed: not stopped, its PID not another's. */
    @Override
    public void verifyStillThere(Guest guest) {
        long now;
        try {
            now = ((Number) Files.getAttribute(proc.resolve(Integer.toString(guest.pid())).resolve("ns/net"), "unix:ino"))
                    .longValue();
        } catch (java.io.IOException | RuntimeException e) {
            now = 0;
        }
        if (guest.pid() > 0 && now != guest.netnsInode()) {
            throw new PipeworkException("container \"" + guest.token() + "\" stopped while it was being plumbed (its PID"
                    + " was " + guest.pid() + "); what this run did was undone");
        }
    }

    @Override
    public void verifyUnchanged(Guest guest) {
        Optional<DockerContainer> now;
        try {
            now = engine().inspect(guest.id().orElseThrow());
        } catch (DockerException e) {
            throw new PipeworkException("cannot check container \"" + guest.token() + "\" again: " + e.getMessage());
        }
        if (now.isEmpty() || now.get().pid() != guest.pid() || !now.get().running()) {
            throw new PipeworkException("container \"" + guest.token() + "\" stopped or restarted while it was being"
                    + " plumbed (its PID was " + guest.pid() + "); nothing was changed");
        }
    }
}
