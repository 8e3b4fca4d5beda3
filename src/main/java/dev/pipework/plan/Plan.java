package dev.pipework.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * What a run will do, decided before anything changes.
 *
 * @param steps    the changes, in order
 * @param notices  lines for stderr, shown before the changes
 * @param warnings lines for stderr, shown once the changes are made
 */
public record Plan(List<Step> steps, List<String> notices, List<String> warnings) {
    public Plan {
        steps = List.copyOf(steps);
        notices = List.copyOf(notices);
        warnings = List.copyOf(warnings);
    }

    /**
     * The plan with more steps in the guest (a CNI plugin's addresses and routes), before the wait
     * for Open vSwitch to take the new port (so in the batch of the guest's other {@code ip}
     * commands), else at the end.
     */
    public Plan withGuestSteps(List<Step> more) {
        List<Step> all = new ArrayList<>(steps);
        int at = 0;
        while (at < all.size() && !(all.get(at) instanceof OvsSteps.AwaitOvsPort)) {
            at++;
        }
        all.addAll(at, more);
        return new Plan(all, notices, warnings);
    }

    /** The routes the plan adds in the guest, as {@code ip route} shows them. */
    public List<String> routesAdded() {
        List<String> routes = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof AddressSteps.AddRoute r) {
                routes.add(r.shown());
            } else if (step instanceof AddressSteps.ReplaceDefaultRoute r) {
                routes.add(r.shown());
            }
        }
        return routes;
    }
}
