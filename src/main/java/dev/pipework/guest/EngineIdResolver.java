package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;

import java.util.List;
import java.util.Optional;

/**
 * The guests a declaration may reach: only the engine container that declared it, known by the
 * engine's full ID. A name is whatever a container's creator chose, and through the whole lookup
 * chain it can be an LXC cgroup, a named netns or a CNI container ID of someone else's; an ID is the
 * engine's. The guest keeps the container's name for messages and DHCP, as a lookup by name gave it.
 */
public final class EngineIdResolver implements GuestResolver {
    private final GuestResolver base;
    private final String id;

    /**
     * @param base the machine's resolver, asked for the engine's container only
     * @param id   the container's full ID, as the engine gave it
     */
    public EngineIdResolver(GuestResolver base, String id) {
        this.base = base;
        this.id = id;
    }

    @Override
    public Guest resolve(String token, boolean running) {
        if (!token.equals(id)) {
            throw new PipeworkException("container \"" + token + "\" is not the one that declared it (" + id + ")");
        }
        Optional<Guest> found = base.engineContainer(id, running);
        if (found.isEmpty()) {
            throw PipeworkException.original("Container " + id + " not found, and unknown to Docker.");
        }
        return named(found.get());
    }

    private static Guest named(Guest g) {
        return new Guest(g.displayName(), g.runtime(), g.id(), g.name(), g.pid(), g.netnsPath(), g.netnsInode(),
                g.stableNetnsPath());
    }

    /** As {@link #resolve} gives it, from the inspect already made. */
    @Override
    public Optional<Guest> engineContainer(DockerContainer inspected) {
        return inspected.id().equals(id) ? base.engineContainer(inspected).map(EngineIdResolver::named) : Optional.empty();
    }

    @Override
    public Optional<Guest> engineContainer(String containerId, boolean running) {
        return containerId.equals(id) ? base.engineContainer(containerId, running) : Optional.empty();
    }

    @Override
    public List<Guest> all() {
        return base.all();
    }

    @Override
    public void verifyUnchanged(Guest guest) {
        base.verifyUnchanged(guest);
    }

    @Override
    public void verifyPinned(Guest guest) {
        base.verifyPinned(guest);
    }

    @Override
    public void verifyStillThere(Guest guest) {
        base.verifyStillThere(guest);
    }
}
