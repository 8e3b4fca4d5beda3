package dev.pipework.run;

import dev.pipework.model.IpCidr;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.render.Renderer;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/** {@code pipework shim <nic> <ip>/<prefix>} and {@code pipework del shim <nic>}: a host macvlan over a NIC. */
public final class Shim {
    private final Services services;
    private final PrintStream out;
    private final PrintStream err;
    private final Planner planner = new Planner();

    public Shim(Services services, PrintStream out, PrintStream err) {
        this.services = services;
        this.out = out;
        this.err = err;
    }

    /**
     * Creates the shim, or keeps it when it is there as asked.
     *
     * @param result where to show the shim once it is there, if anywhere
     */
    public int add(String nic, IpCidr address, boolean dryRun, Renderer renderer, Optional<Renderer> result) {
        if (dryRun) {
            Plan plan = planner.planShim(nic, address, services.view());
            plan.notices().forEach(err::println);
            renderer.dryRun(plan, out);
            return 0;
        }
        services.requireRoot(Services.CHANGES);
        new Sequence(services).run(List.of(nic), Optional.empty(), held -> {
            Plan plan = planner.planShim(nic, address, held.view());
            plan.notices().forEach(err::println);
            held.execute(plan);
            return plan;
        });
        if (result.isPresent()) {
            Optional<Attachment> shim = planner.shims(services.view()).stream()
                    .filter(a -> a.hostInterface().equals(Optional.of(nic))).findFirst();
            shim.ifPresent(a -> result.get().attached(a, new Plan(List.of(), List.of(), List.of()), out));
        }
        return 0;
    }

    /** Removes the shim of this NIC; nothing there is a message, exit 0. */
    public int remove(String nic, boolean dryRun, Renderer renderer) {
        if (!dryRun) {
            services.requireRoot(Services.CHANGES);
        }
        if (dryRun) {
            Plan plan = planner.planShimDelete(nic, services.view());
            if (plan.steps().isEmpty()) {
                nothingToRemove(nic);
            } else {
                renderer.dryRun(plan, out);
            }
            return 0;
        }
        return new Sequence(services).run(List.of(nic), Optional.empty(), held -> {
            Plan plan = planner.planShimDelete(nic, held.view());
            if (plan.steps().isEmpty()) {
                nothingToRemove(nic);
            } else {
                held.execute(plan);
            }
            return 0;
        });
    }

    private void nothingToRemove(String nic) {
        err.println("pipework: nothing to remove: no shim on \"" + nic + "\"");
    }
}
