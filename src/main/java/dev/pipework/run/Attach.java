package dev.pipework.run;

import dev.pipework.guest.NetnsPin;
import dev.pipework.host.RunLock;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.HostTarget;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.plan.Step;
import dev.pipework.render.Renderer;
import dev.pipework.sys.Where;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One attach, the same for every front end: resolve the guest, read the facts the planner asks
 * for, plan, then print or execute the plan.
 */
public final class Attach {
    private final Services services;
    private final PrintStream out;
    private final PrintStream err;
    private final Planner planner = new Planner();

    public Attach(Services services, PrintStream out, PrintStream err) {
        this.services = services;
        this.out = out;
        this.err = err;
    }

    /** Plans and prints the commands, changing nothing. */
    public void dryRun(AttachRequest request, Renderer renderer) {
        FactReader facts = services.facts();
        AttachRequest resolved = facts.ask(f -> planner.resolveHostMac(request, f));
        HostTarget target = facts.ask(f -> planner.hostTarget(resolved, f));
        Guest guest = services.guests().resolve(resolved.guest());
        Plan plan = facts.ask(f -> planner.planAttach(resolved, target, guest, f));
        plan.notices().forEach(err::println);
        renderer.dryRun(plan, out);
    }

    /**
     * Plumbs the interface. Facts are read under the locks, so that what the plan assumes still
     * holds when it runs. Every run takes the bridge's lock before the guest's: no two runs wait on
     * each other in a circle.
     *
     * @param result where to show the interface as the kernel now shows it, if anywhere
     */
    public void run(AttachRequest request, Optional<Renderer> result) {
        services.requireRoot(Services.CHANGES);
        AttachRequest resolved = services.facts().ask(f -> planner.resolveHostMac(request, f));
        try (RunLock lock = new RunLock(services.lockDir()).acquire("link-" + resolved.hostInterface())) {
            FactReader facts = services.facts();
            HostTarget target = facts.ask(f -> planner.hostTarget(resolved, f));
            Guest guest = services.guests().resolve(resolved.guest());
            lock.acquire("netns-" + guest.netnsInode());
            try (NetnsPin pin = NetnsPin.open(guest)) {
                services.guests().verifyPinned(guest);
                Guest held = guest.withNetnsPath(pin.path());
                Plan plan = facts.ask(f -> planner.planAttach(resolved, target, held, f));
                plan.notices().forEach(err::println);
                services.executor().execute(plan);
                plan.warnings().forEach(err::println);
                if (result.isPresent()) {
                    String containerIf = Planner.containerInterface(resolved, target);
                    result.get().attached(made(held, containerIf), plan, out);
                }
            }
        }
    }

    /**
     * Plumbs into a guest its front end resolved itself (a CNI namespace, known by the runtime's
     * container ID), under the same locks, then runs the steps {@code more} gives for the namespace
     * as held (addresses and routes from elsewhere), with the same rollback.
     *
     * @param mtu the MTU of the new link, in place of the host interface's
     * @return the interface as the kernel now shows it
     */
    public Attachment run(AttachRequest request, Guest guest, Optional<Integer> mtu,
                          Function<Where, List<Step>> more) {
        services.requireRoot(Services.CHANGES);
        AttachRequest resolved = services.facts().ask(f -> planner.resolveHostMac(request, f));
        try (RunLock lock = new RunLock(services.lockDir()).acquire("link-" + resolved.hostInterface())) {
            FactReader facts = services.facts();
            HostTarget classified = facts.ask(f -> planner.hostTarget(resolved, f));
            HostTarget target = mtu.map(m -> new HostTarget(classified.kind(), classified.name(), classified.exists(), m,
                    classified.up())).orElse(classified);
            lock.acquire("netns-" + guest.netnsInode());
            try (NetnsPin pin = NetnsPin.open(guest)) {
                Guest held = guest.withNetnsPath(pin.path());
                Plan planned = facts.ask(f -> planner.planAttach(resolved, target, held, f));
                List<Step> steps = new ArrayList<>(planned.steps());
                steps.addAll(more.apply(Where.guest(held.netnsPath())));
                Plan plan = new Plan(steps, planned.notices(), planned.warnings());
                plan.notices().forEach(err::println);
                services.executor().execute(plan);
                plan.warnings().forEach(err::println);
                return made(held, Planner.containerInterface(resolved, target));
            }
        }
    }

    /** The interface as the kernel shows it now: read afresh, after the change. */
    private Attachment made(Guest guest, String containerIf) {
        return services.facts().ask(f -> planner.attachments(guest, f)).stream()
                .filter(a -> a.containerInterface().equals(containerIf))
                .findFirst()
                .orElseThrow(() -> new PipeworkException("interface \"" + containerIf + "\" is not in "
                        + guest.describe() + " after the attach"));
    }
}
