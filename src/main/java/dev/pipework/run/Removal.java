package dev.pipework.run;

import dev.pipework.guest.NetnsPin;
import dev.pipework.host.RunLock;
import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.OvsSteps;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.plan.Step;
import dev.pipework.render.Renderer;

import java.io.PrintStream;
import java.util.Optional;
import java.util.TreeSet;

/** {@code del}: removes what attaches plumbed into a guest, found in the live state. Removing twice is harmless. */
public final class Removal {
    private final Services services;
    private final PrintStream out;
    private final PrintStream err;
    private final Planner planner = new Planner();

    public Removal(Services services, PrintStream out, PrintStream err) {
        this.services = services;
        this.out = out;
        this.err = err;
    }

    /**
     * @param token       the guest as named
     * @param containerIf the interface to remove, or empty for every one
     * @param dryRun      print the commands instead
     */
    public int run(String token, Optional<String> containerIf, boolean dryRun, Renderer renderer) {
        if (!dryRun) {
            services.requireRoot(Services.CHANGES);
        }
        Optional<Guest> guest;
        try {
            guest = Optional.of(services.guests().resolve(token, false));
        } catch (PipeworkException e) {
            // A container that was removed can still have Open vSwitch records naming it.
            guest = Optional.empty();
        }
        Optional<Guest> found = guest;
        FactReader facts = services.facts();
        Plan plan = facts.ask(f -> planner.planDelete(found, token, containerIf, f));
        if (plan.steps().isEmpty()) {
            nothingToRemove(token, containerIf, guest);
            return 0;
        }
        if (dryRun) {
            renderer.dryRun(plan, out);
            return 0;
        }
        TreeSet<String> bridges = new TreeSet<>();
        if (guest.isPresent()) {
            for (Attachment a : facts.ask(f -> planner.attachments(found.get(), f))) {
                if (containerIf.isEmpty() || a.containerInterface().equals(containerIf.get())) {
                    a.bridge().ifPresent(bridges::add);
                }
            }
        }
        for (Step step : plan.steps()) {
            if (step instanceof OvsSteps.RemoveOvsPort port) {
                bridges.add(port.bridge());
            }
        }
        // As an attach does: the bridges' locks, then the guest's; then, with its namespace held
        // open and the guest checked to be the one resolved (not a recycled PID), the plan is made
        // again from facts read under the locks, and reaches the namespace through the pin.
        try (RunLock lock = new RunLock(services.lockDir())) {
            bridges.forEach(b -> lock.acquire("link-" + b));
            if (guest.isEmpty() || guest.get().netnsPath().isEmpty()) {
                execute(services.facts().ask(f -> planner.planDelete(found, token, containerIf, f)), token,
                        containerIf, guest);
                return 0;
            }
            Guest resolved = guest.get();
            lock.acquire("netns-" + resolved.netnsInode());
            try (NetnsPin pin = NetnsPin.open(resolved)) {
                services.guests().verifyUnchanged(resolved);
                Optional<Guest> held = Optional.of(resolved.withNetnsPath(pin.path()));
                execute(services.facts().ask(f -> planner.planDelete(held, token, containerIf, f)), token,
                        containerIf, guest);
            }
        }
        return 0;
    }

    private void execute(Plan plan, String token, Optional<String> containerIf, Optional<Guest> guest) {
        if (plan.steps().isEmpty()) {
            nothingToRemove(token, containerIf, guest);
            return;
        }
        services.executor().execute(plan);
    }

    private void nothingToRemove(String token, Optional<String> containerIf, Optional<Guest> guest) {
        err.println("pipework: nothing to remove: " + containerIf.map(cif -> "no interface \"" + cif + "\"")
                .orElse("no interface") + " plumbed into " + guest.map(Guest::describe).orElse("\"" + token + "\""));
    }
}
