package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One kind of guest: how a name given on the command line is found, which guests exist now, and
 * how a guest is checked to be still the same once its namespace is held open. A new runtime is
 * one class implementing this, with the phrase that says what names its guests, placed in
 * {@link RuntimeResolver}'s order (from which the help's sentence of what a guest may be is made).
 */
public interface GuestRuntime {

    Runtime runtime();

    /**
     * The guest this runtime knows by that word, if any.
     *
     * @param running when false, a container that is not running is returned too, with PID 0 and no
     *                namespace (what {@code del} can still clean up after it is the records naming it)
     * @throws PipeworkException when the runtime knows the guest but it cannot be used (the
     *                           original's messages where it has one)
     */
    Optional<Guest> find(String token, boolean running);

    /** The guests of this runtime that can hold attachments now. */
    default List<Guest> all() {
        return List.of();
    }

    /**
     * Checks, with the guest's namespace held open, that the guest is still the one resolved. A
     * PID reused by another process would otherwise send the interface to the wrong namespace.
     *
     * @throws PipeworkException when it is not
     */
    default void verifyUnchanged(Guest guest) {
    }

    /** After the plumbing: the guest still holds the namespace plumbed (see {@link GuestResolver#verifyStillThere}). */
    default void verifyStillThere(Guest guest) {
    }

    /**
     * Whether holding the guest's namespace open, with the inode it was resolved to, proves the
     * guest unchanged by itself (see {@link GuestResolver#verifyPinned}); else
     * {@link #verifyUnchanged} asks again.
     */
    default boolean pinProvesIdentity() {
        return false;
    }

    /** The runtime could not be asked (its engine does not answer): the lookup goes on, and says so if it fails. */
    final class Unreachable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    /** The inode of a namespace file, which tells namespaces apart. */
    static long inode(Path nsFile) {
        try {
            Object ino = Files.getAttribute(nsFile, "unix:ino");
            return ((Number) ino).longValue();
        } catch (java.nio.file.AccessDeniedException e) {
            throw new PipeworkException("cannot read network namespace \"" + nsFile + "\": permission denied"
                    + " (another user's process: run as root)");
        } catch (IOException | RuntimeException e) {
            throw new PipeworkException("cannot read network namespace \"" + nsFile + "\": " + e.getMessage());
        }
    }

    /** A guest known by its namespace file alone. */
    static Guest fromFile(String token, Runtime runtime, Path file) {
        if (!Files.exists(file)) {
            throw new PipeworkException("network namespace file \"" + file + "\" does not exist");
        }
        return new Guest(token, runtime, Optional.empty(), Optional.empty(), 0, file.toString(), inode(file));
    }
}
