package dev.pipework.run;

import dev.pipework.plan.OverlayRequest;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.render.Renderer;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/** {@code pipework overlay add ...} and {@code pipework overlay rm <name>}: changes on the host only. */
public final class Overlays {
    private final Services services;
    private final PrintStream out;
    private final PrintStream err;
    private final Planner planner = new Planner();

    public Overlays(Services services, PrintStream out, PrintStream err) {
        this.services = services;
        this.out = out;
        this.err = err;
    }

    /** Makes the overlay, or keeps it when it is there as asked. */
    public int add(OverlayRequest request, boolean dryRun, Renderer renderer) {
        if (dryRun) {
            Plan plan = planner.planOverlay(request, services.view());
            plan.notices().forEach(err::println);
            renderer.dryRun(plan, out);
            return 0;
        }
        services.requireRoot(Services.CHANGES);
        new Sequence(services).run(List.of(request.name(), request.underlay()), Optional.empty(), held -> {
            Plan plan = planner.planOverlay(request, held.view());
            plan.notices().forEach(err::println);
            held.execute(plan);
            return plan;
        });
        return 0;
    }

    /** Removes the overlay; none of that name is a message, exit 0. */
    public int remove(String name, boolean dryRun, Renderer renderer) {
        if (dryRun) {
            Plan plan = planner.planOverlayRemove(name, services.view());
            if (plan.steps().isEmpty()) {
                nothingToRemove(name);
            } else {
                renderer.dryRun(plan, out);
            }
            return 0;
        }
        services.requireRoot(Services.CHANGES);
        return new Sequence(services).run(List.of(name), Optional.empty(), held -> {
            Plan plan = planner.planOverlayRemove(name, held.view());
            if (plan.steps().isEmpty()) {
                nothingToRemove(name);
            } else {
                held.execute(plan);
            }
            return 0;
        });
    }

    private void nothingToRemove(String name) {
        err.println("pipework: nothing to remove: no overlay \"" + name + "\"");
    }
}
