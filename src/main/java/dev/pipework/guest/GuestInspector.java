package dev.pipework.guest;

import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.plan.GuestLink;

import java.util.List;
import java.util.Optional;

/** Read-only questions about the inside of a guest, asked through its namespace file. */
public interface GuestInspector {

    /** The guest's default route of this family, if it has one. */
    Optional<DefaultRoute> defaultRoute(String netnsPath, Family family);

    /**
     * The guest's links.
     *
     * @param guest how messages name the guest
     */
    List<GuestLink> links(String netnsPath, String guest);

    /**
     * The guest's links, read as one of many guests ({@code status} of everything, {@code apply}):
     * where a way of reading costs more to set up and less a guest, that way. Its failures are those
     * of {@link #links}.
     */
    default List<GuestLink> linksOfOneOfMany(String netnsPath, String guest) {
        return links(netnsPath, guest);
    }
}
