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
}
