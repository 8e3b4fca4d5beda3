package dev.pipework.run;

import dev.pipework.host.RunLock;
import dev.pipework.model.IpCidr;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.render.Renderer;

import java.io.PrintStream;
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
            Plan plan = services.facts().ask(f -> planner.planShim(nic, address, f));
            plan.notices().forEach(err::println);
            renderer.dryRun(plan, out);
            return 0;
        }
        services.requireRoot(Services.CHANGES);
        try (RunLock lock = new RunLock(services.lockDir()).acquire("link-" + nic)) {
            Plan plan = services.facts().ask(f -> planner.planShim(nic, address, f));
            plan.notices().forEach(err::println);
            services.executor().execute(plan);
        }
        if (result.isPresent()) {
            Optional<Attachment> shim = services.facts().ask(planner::shims).stream()
                    .filter(a -> a.hostInterface().equals(Optional.of(nic))).findFirst();
            shim.ifPresent(a -> result.get().attached(a, new Plan(java.util.List.of(), java.util.List.of(),
                    java.util.List.of()), out));
        }
        return 0;
    }

    /** Removes the shim of this NIC; nothing there is a message, exit 0. */
    public int remove(String nic, boolean dryRun, Renderer renderer) {
        if (!dryRun) {
            services.requireRoot(Services.CHANGES);
        }
        try (RunLock lock = dryRun ? new RunLock(services.lockDir()) : new RunLock(services.lockDir()).acquire("link-" + nic)) {
            Plan plan = services.facts().ask(f -> planner.planShimDelete(nic, f));
            if (plan.steps().isEmpty()) {
                err.println("pipework: nothing to remove: no shim on \"" + nic + "\"");
                return 0;
            }
            if (dryRun) {
                renderer.dryRun(plan, out);
                return 0;
            }
            services.executor().execute(plan);
        }
        return 0;
    }
}
