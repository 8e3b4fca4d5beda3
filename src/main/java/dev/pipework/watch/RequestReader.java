package dev.pipework.watch;

import dev.pipework.model.AttachRequest;

/**
 * Reads a declaration into a request, as the command line reads an attach. Given by the front end
 * that owns the command line's syntax.
 */
public interface RequestReader {

    /**
     * A label's value: an attach's words without the guest, e.g. {@code ovs0 -i eth2 10.0.0.5/24 @100}.
     *
     * @throws dev.pipework.model.InvalidValueException or another {@link dev.pipework.model.PipeworkException}
     *         naming what is wrong
     */
    AttachRequest label(String value, String guest);

    /** A line of the attachments file: an attach's words with the guest named, as in {@code --batch}. */
    AttachRequest line(String line);
}
