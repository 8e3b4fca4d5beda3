package dev.pipework.guest;

import java.util.List;

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
     * @param running when false, a Docker container that is not running is returned too, without
     *                waiting for a PID, with PID 0 and no namespace (what {@code del} can still clean
     *                up after it is the Open vSwitch records naming it)
     */
    Guest resolve(String token, boolean running);

    /** Every guest that can hold attachments now: running Docker containers and named namespaces. */
    List<Guest> all();
}
