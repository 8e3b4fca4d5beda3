package dev.pipework.run;

import dev.pipework.ipam.Holder;
import dev.pipework.model.Guest;
import dev.pipework.model.PoolAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.MachineView;
import dev.pipework.plan.OvsSteps;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.plan.Step;
import dev.pipework.render.Renderer;

import java.io.PrintStream;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Supplier;

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
            Recovery.beforeRun(services);
        }
        Optional<Guest> guest = resolve(token);
        MachineView view = services.view();
        Plan plan = planner.planDelete(guest, token, containerIf, view);
        if (plan.steps().isEmpty()) {
            if (guest.isEmpty()) {
                // No runtime knows the name and nothing names it (a typo, most likely): the lookup's error.
                services.guests().resolve(token, false);
            }
            nothingToRemove(token, containerIf, guest);
            if (!dryRun) {
                release(guest, containerIf);
            }
            return 0;
        }
        if (dryRun) {
            renderer.dryRun(plan, out);
            return 0;
        }
        // Killed runs were undone above, before the first reading: not again under the locks.
        execute(false, guest, containerIf, plan, view, (g, v) -> planner.planDelete(g, token, containerIf, v),
                () -> nothingToRemove(token, containerIf, guest));
        release(guest, containerIf);
        return 0;
    }

    /** Gives back to their pools the addresses of the interface (or of every interface) removed. */
    private void release(Optional<Guest> guest, Optional<String> containerIf) {
        if (guest.isEmpty()) {
            return;
        }
        Supplier<Holder> holder = () -> Holder.of(guest.get(), containerIf.orElse("eth1"));
        for (PoolAddress given : services.ipam().release(holder, containerIf.isEmpty())) {
            err.println("pipework: gave back " + given.address() + " to pool \"" + given.pool() + "\"");
        }
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
        BiFunction<Optional<Guest>, MachineView, Plan> planning = (g, v) -> g.isPresent() && g.get().pid() != 0
                ? planner.planStaleRecords(g.get(), v) : planner.planDelete(g, token, Optional.empty(), v);
        MachineView view = services.view();
        Plan plan = planning.apply(guest, view);
        if (!plan.steps().isEmpty()) {
            execute(true, guest, Optional.empty(), plan, view, planning, () -> { });
        }
        return plan;
    }

    /**
     * Carries out a removal planned without locks: under the locks of the bridges that plan touches
     * and of the guest's namespace, held open and checked to be the guest resolved (not a recycled
     * PID), the plan is made again from the machine as read under the locks ({@link Sequence}).
     *
     * @param view     the view the first plan was made from: the bridges to lock are read from it
     * @param planning the plan, from the guest (as held) and the view
     * @param nothing  what to say when, under the locks, nothing is left to remove
     */
    private void execute(boolean recover, Optional<Guest> guest, Optional<String> containerIf, Plan plan,
                         MachineView view, BiFunction<Optional<Guest>, MachineView, Plan> planning, Runnable nothing) {
        new Sequence(services, recover).run(bridges(guest, containerIf, plan, view), guest, held -> {
            executeOrSay(held, planning.apply(held.guest(), held.view()), nothing);
            return null;
        });
    }

    /** The bridges a removal touches: those of the attachments it removes, and of the ports it deletes. */
    private Set<String> bridges(Optional<Guest> guest, Optional<String> containerIf, Plan plan, MachineView view) {
        TreeSet<String> bridges = new TreeSet<>();
        if (guest.isPresent()) {
            for (Attachment a : planner.attachments(guest.get(), view)) {
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
        return bridges;
    }

    private void executeOrSay(Sequence.Held held, Plan plan, Runnable nothing) {
        plan.notices().forEach(err::println);
        if (plan.steps().isEmpty()) {
            nothing.run();
            return;
        }
        held.execute(plan);
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
