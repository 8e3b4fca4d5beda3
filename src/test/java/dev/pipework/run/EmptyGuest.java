package dev.pipework.run;

import dev.pipework.guest.GuestInspector;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.plan.GuestLink;

import java.util.List;
import java.util.Optional;

/** A guest with no links and no routes, as {@link EmptyHost} is a host with nothing. */
class EmptyGuest implements GuestInspector {
    public Optional<DefaultRoute> defaultRoute(String netnsPath, Family family) {
        return Optional.empty();
    }

    public List<GuestLink> links(String netnsPath, String guest) {
        return List.of();
    }
}
