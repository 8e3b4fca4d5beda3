package dev.pipework.run;

import dev.pipework.guest.NetnsPin;
import dev.pipework.host.RunLock;
import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Facts;
import dev.pipework.plan.OvsSteps;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.plan.Step;
import dev.pipework.render.Renderer;

import java.io.PrintStream;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiFunction;

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
        PipeworkException unknown = null;
        try {
            guest = Optional.of(services.guests().resolve(token, false));
        } catch (PipeworkException e) {
            // A container that was removed can still have Open vSwitch records naming it.
            guest = Optional.empty();
            unknown = e;
        }
        Optional<Guest> found = guest;
        FactReader facts = services.facts();
        Plan plan = facts.ask(f -> planner.planDelete(found, token, containerIf, f));
        if (plan.steps().isEmpty()) {
            if (unknown != null) {
                // No runtime knows the name and nothing names it: a typo, most likely.
                throw unknown;
            }
            nothingToRemove(token, containerIf, guest);
            return 0;
        }
        if (dryRun) {
            renderer.dryRun(plan, out);
            return 0;
        }
        execute(guest, containerIf, plan, facts, (g, f) -> planner.planDelete(g, token, containerIf, f),
                () -> nothingToRemove(token, containerIf, found));
        return 0;
    }

    /** The guest, running or not; none when no runtime knows it any more. */
    private Optional<Guest> resolve(String token) {
        try {
            return Optional.of(services.guests().resolve(token, false));
        } catch (PipeworkException e) {
            // A container that was removed can still have Open vSwitch records naming it.
            return Optional.empty();
        }
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
        Optional<Guest> guest = resolve(token);
        Optional<Guest> found = guest;
        BiFunction<Optional<Guest>, Facts, Plan> planning = (g, f) -> g.isPresent() && g.get().pid() != 0
                ? planner.planStaleRecords(g.get(), f) : planner.planDelete(g, token, Optional.empty(), f);
        FactReader facts = services.facts();
        Plan plan = facts.ask(f -> planning.apply(found, f));
        if (!plan.steps().isEmpty()) {
            execute(guest, Optional.empty(), plan, facts, planning, () -> { });
        }
        return plan;
    }

    /**
     * Carries out a removal planned without locks: takes the locks of the bridges it touches, then,
     * as an attach does, the guest's; with its namespace held open and the guest checked to be the
     * one resolved (not a recycled PID), the plan is made again from facts read under the locks, and
     * reaches the namespace through the pin.
     *
     * @param facts    the reader the plan was made with: the bridges to lock are read from its answers
     * @param planning the plan, from the guest (as held) and the facts
     * @param nothing  what to say when, under the locks, nothing is left to remove
     */
    private void execute(Optional<Guest> guest, Optional<String> containerIf, Plan plan, FactReader facts,
                         BiFunction<Optional<Guest>, Facts, Plan> planning, Runnable nothing) {
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
            if (guest.isEmpty() || guest.get().netnsPath().isEmpty()) {
                executeOrSay(services.facts().ask(f -> planning.apply(guest, f)), nothing);
                return;
            }
            Guest resolved = guest.get();
            lock.acquire("netns-" + resolved.netnsInode());
            try (NetnsPin pin = NetnsPin.open(resolved)) {
                services.guests().verifyUnchanged(resolved);
                Optional<Guest> held = Optional.of(resolved.withNetnsPath(pin.path()));
                executeOrSay(services.facts().ask(f -> planning.apply(held, f)), nothing);
            }
        }
    }

    private void executeOrSay(Plan plan, Runnable nothing) {
        if (plan.steps().isEmpty()) {
            nothing.run();
            return;
        }
        services.executor().execute(plan);
        for (Step step : plan.steps()) {
            if (step instanceof OvsSteps.RemoveOvsPort port) {
                err.println("pipework: removed Open vSwitch port \"" + port.port() + "\" from bridge \""
                        + port.bridge() + "\"");
            }
        }
    }

    private void nothingToRemove(String token, Optional<String> containerIf, Optional<Guest> guest) {
        err.println("pipework: nothing to remove: " + containerIf.map(cif -> "no interface \"" + cif + "\"")
                .orElse("no interface") + " plumbed into " + guest.map(Guest::describe).orElse("\"" + token + "\""));
    }
}
