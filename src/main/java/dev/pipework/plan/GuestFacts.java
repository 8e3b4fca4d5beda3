package dev.pipework.plan;

import java.util.Optional;

/** What the planner was told about the inside of the guest: the default route a gateway would replace. */
public record GuestFacts(Optional<DefaultRoute> defaultRoute) {
    public static GuestFacts none() {
        return new GuestFacts(Optional.empty());
    }
}
