package dev.pipework.guest;

import dev.pipework.model.Family;
import dev.pipework.plan.DefaultRoute;

import java.util.Optional;

/** Read-only questions about a guest, asked after it was resolved. */
public interface GuestInspector {

    /** The guest's default route of this family, if it has one. */
    Optional<DefaultRoute> defaultRoute(Guest guest, Family family);

    /**
     * Checks, with the guest's namespace held open, that the guest is still the one resolved: for a
     * Docker container, the same ID running with the same PID. A PID reused by another process
     * would otherwise send the interface to the wrong namespace.
     *
     * @throws dev.pipework.model.PipeworkException when it is not
     */
    void verifyUnchanged(Guest guest);
}
