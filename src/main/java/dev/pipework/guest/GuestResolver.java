package dev.pipework.guest;

/** Finds the guest a user named. */
public interface GuestResolver {

    /** @throws dev.pipework.model.PipeworkException with the original's message when nothing matches */
    Guest resolve(String token);
}
