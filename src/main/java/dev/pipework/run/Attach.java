package dev.pipework.run;

import dev.pipework.ipam.Holder;
import dev.pipework.ipam.Ipam;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.PoolAddress;
import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.HostTarget;
import dev.pipework.plan.MachineView;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.plan.Step;
import dev.pipework.render.Renderer;
import dev.pipework.sys.Where;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One attach, the same for every front end: resolve the guest, plan from the machine as read under
 * the locks ({@link Sequence}), then print or execute the plan.
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
        MachineView view = services.view();
        AttachRequest resolved = planner.resolveHostMac(request, view);
        HostTarget target = planner.hostTarget(resolved, view);
        Guest guest = services.guests().resolve(resolved.guest());
        Ipam.Claim claim = services.ipam().claim(resolved.address(), () -> Holder.of(guest,
                Planner.containerInterface(resolved, target)), true);
        Plan plan = planner.planAttach(checked(resolved, claim), target, guest, view);
        plan.notices().forEach(err::println);
        renderer.dryRun(plan, claim.shown(), out);
    }

    /** The request with the address its claim gave, which must be of the family {@code -a} asked for. */
    private static AttachRequest checked(AttachRequest request, Ipam.Claim claim) {
        AttachRequest given = request.withAddress(claim.address());
        for (AddressSpec.Static s : given.address().statics()) {
            if (request.family().isPresent() && s.address().family() != request.family().get()) {
                throw new InvalidValueException("address " + s.address() + " of " + request.address().describe()
                        + " is not of the family asked for with -a");
            }
        }
        return given;
    }

    /**
     * Plumbs the interface into the guest the request names, resolved once the host interface is
     * locked.
     *
     * @param result where to show the interface as the kernel now shows it, if anywhere
     */
    public void run(AttachRequest request, Optional<Renderer> result) {
        run(request, result, Admission.ANY);
    }

    /**
     * The same, with what the front end lets the request make of the host asked under the locks.
     *
     * @throws Admission.Refused when it may not; nothing was claimed or changed
     */
    public void run(AttachRequest request, Optional<Renderer> result, Admission admission) {
        services.requireRoot(Services.CHANGES);
        AttachRequest resolved = planner.resolveHostMac(request, services.view());
        Made made = attach(resolved, view -> {
            HostTarget target = planner.hostTarget(resolved, view);
            Optional<String> refusal = admission.refusal(target);
            if (refusal.isPresent()) {
                throw new Admission.Refused(refusal.get());
            }
            return Optional.of(services.guests().resolve(resolved.guest()));
        }, Optional.empty(), where -> List.of(), result.isPresent());
        result.ifPresent(r -> r.attached(made.attachment().orElseThrow(), made.plan(), made.given(), out));
        if (result.isEmpty()) {
            made.given().stream().filter(g -> resolved.address() instanceof AddressSpec.FromPool)
                    .forEach(g -> out.println(g.address() + " pool " + g.pool() + (g.fresh() ? "" : " (held already)")));
        }
    }

    /**
     * Plumbs into a guest its front end resolved itself (a CNI namespace, known by the runtime's
     * container ID), then runs the steps {@code more} gives for the namespace as held (addresses and
     * routes from elsewhere), with the same rollback.
     *
     * @param mtu the MTU of the new link, in place of the host interface's
     * @return the interface as the kernel now shows it
     */
    public Attachment run(AttachRequest request, Guest guest, Optional<Integer> mtu,
                          Function<Where, List<Step>> more) {
        services.requireRoot(Services.CHANGES);
        AttachRequest resolved = planner.resolveHostMac(request, services.view());
        return attach(resolved, view -> Optional.of(guest), mtu, more, true).attachment().orElseThrow();
    }

    private record Made(Plan plan, Optional<Attachment> attachment, List<PoolAddress> given) {
    }

    private Made attach(AttachRequest resolved, Function<MachineView, Optional<Guest>> guest,
                        Optional<Integer> mtu, Function<Where, List<Step>> more, boolean show) {
        return new Sequence(services).run(List.of(resolved.hostInterface()), guest, held -> {
            HostTarget classified = planner.hostTarget(resolved, held.view());
            HostTarget target = mtu.map(m -> new HostTarget(classified.kind(), classified.name(), classified.exists(), m,
                    classified.up())).orElse(classified);
            Guest in = held.guest().orElseThrow();
            String containerIf = Planner.containerInterface(resolved, target);
            // The pools' claim: under the locks, before planning, given back when the run fails.
            Ipam.Claim claim = services.ipam().claim(resolved.address(), () -> Holder.of(in, containerIf), false);
            Plan plan;
            Optional<Attachment> attachment;
            try {
                plan = planner.planAttach(checked(resolved, claim), target, in, held.view())
                        .withGuestSteps(more.apply(Where.guest(in.netnsPath())));
                plan.notices().forEach(err::println);
                // The interface is read back before the locks go, and the pools' claim made held while
                // the run is still in the journal: either failing undoes the attach.
                attachment = held.execute(plan, () -> {
                    services.guests().verifyStillThere(in);
                    Optional<Attachment> made = show ? Optional.of(made(in, containerIf)) : Optional.empty();
                    services.ipam().confirm(claim);
                    return made;
                });
            } catch (RuntimeException | Error e) {
                services.ipam().undo(claim);
                throw e;
            }
            plan.warnings().forEach(err::println);
            return new Made(plan, attachment, claim.shown());
        });
    }

    /** The interface as the kernel shows it now: read afresh, after the change. */
    private Attachment made(Guest guest, String containerIf) {
        return planner.attachments(guest, services.view()).stream()
                .filter(a -> a.containerInterface().equals(containerIf))
                .findFirst()
                .orElseThrow(() -> new PipeworkException("interface \"" + containerIf + "\" is not in "
                        + guest.describe() + " after the attach"));
    }
}
