package dev.pipework.run;

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
            err.println("pipework: nothing to remove: " + containerIf.map(cif -> "no interface \"" + cif + "\"")
                    .orElse("no interface") + " plumbed into " + guest.map(Guest::describe).orElse("\"" + token + "\""));
            return 0;
        }
        if (dryRun) {
            renderer.dryRun(plan, out);
            return 0;
        }
        execute(guest, containerIf, plan);
        return 0;
    }

    /**
     * Removes, saying nothing, what a container that stopped or was removed left behind (its links
     * went with its namespace): Open vSwitch records, DHCP helpers and clients. A container that is
     * running again keeps its attachments: only records whose links are gone are removed.
     *
     * @param token the container's name or ID
     * @return the plan that was carried out; empty when there was nothing to remove
     */
    public Plan removeLeftovers(String token) {
        services.requireRoot(Services.CHANGES);
        Optional<Guest> guest;
        try {
            guest = Optional.of(services.guests().resolve(token, false));
        } catch (PipeworkException e) {
            guest = Optional.empty();
        }
        Optional<Guest> found = guest;
        Plan plan = found.isPresent() && found.get().pid() != 0
                ? services.facts().ask(f -> planner.planStaleRecords(found.get(), f))
                : services.facts().ask(f -> planner.planDelete(found, token, Optional.empty(), f));
        if (!plan.steps().isEmpty()) {
            execute(guest, Optional.empty(), plan);
        }
        return plan;
    }

    private void execute(Optional<Guest> guest, Optional<String> containerIf, Plan plan) {
        FactReader facts = services.facts();
        Optional<Guest> found = guest;
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
        try (RunLock lock = new RunLock(services.lockDir())) {
            bridges.forEach(b -> lock.acquire("link-" + b));
            if (guest.isPresent() && guest.get().netnsInode() != 0) {
                lock.acquire("netns-" + guest.get().netnsInode());
            }
            services.executor().execute(plan);
        }
    }
}
