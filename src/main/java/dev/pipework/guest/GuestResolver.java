package dev.pipework.guest;

import dev.pipework.model.Guest;

import java.util.List;
import java.util.Optional;

/** Finds the guest a user named. */
public interface GuestResolver {

    /**
     * Finds a guest whose namespace can receive an interface.
     *
     * @throws dev.pipework.model.PipeworkException with the original's message when nothing matches
     */
    default Guest resolve(String token) {
        return resolve(token, true);
    }

    /**
     * @param running when false, a container that is not running is returned too, without waiting
     *                for a PID, with PID 0 and no namespace
     */
    Guest resolve(String token, boolean running);

    /**
     * Readies, on a thread of its own, what resolving this token will first use where that is slow to
     * set up, for a caller with other work to do before it resolves; nothing is asked yet.
     */
    default void prepare(String token) {
    }

    /**
     * The engine's container of exactly that full ID, and nothing else: no other runtime is asked, and
     * a container whose name is that word is not it.
     *
     * @param running as for {@link #resolve(String, boolean)}
     */
    default Optional<Guest> engineContainer(String id, boolean running) {
        return Optional.empty();
    }

    /**
     * The engine's container as an inspect of it already answered, running: its guest without asking
     * the engine again ({@code apply} inspects every container once for the labels).
     */
    default Optional<Guest> engineContainer(DockerContainer inspected) {
        return engineContainer(inspected.id(), true);
    }

    /** Every guest that can hold attachments now. */
    List<Guest> all();

    /**
     * Checks, with the guest's namespace held open, that the guest is still the one resolved (for a
     * container, the same ID running with the same PID).
     *
     * @throws dev.pipework.model.PipeworkException when it is not
     */
    void verifyUnchanged(Guest guest);

    /**
     * The same check once {@link NetnsPin} holds the guest's namespace open, having found it to be
     * the namespace the guest was resolved to (the same inode): where that proves the guest
     * unchanged, nothing more is asked.
     */
    default void verifyPinned(Guest guest) {
        verifyUnchanged(guest);
    }

    /**
     * After the plumbing, while its namespace is still held open: the guest still holds that
     * namespace. A container stopped meanwhile (its engine stopped without live-restore) leaves a
     * namespace that only the run's hold keeps, which goes with the run, and what was plumbed into
     * it with it.
     *
     * @throws dev.pipework.model.PipeworkException when it does not
     */
    default void verifyStillThere(Guest guest) {
    }
}
