package dev.pipework.run;

import dev.pipework.exec.JournalEntry;
import dev.pipework.guest.NetnsPin;
import dev.pipework.host.RunLock;
import dev.pipework.model.Guest;
import dev.pipework.plan.MachineView;
import dev.pipework.plan.Plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one order in which every front end changes the machine: take the locks of the host links the
 * run touches (in name order); read the machine afresh; take the lock of the guest's namespace;
 * hold that namespace open; check the guest is still the one resolved; plan; execute, undone on
 * failure. Links are locked before namespaces, so no two runs wait on each other in a circle, and
 * every fact a plan is made from is read under the locks: the host's under the links' locks, the
 * guest's (first asked when planning) under its namespace's too. Before all that, runs killed
 * midway are undone ({@link Recovery}).
 */
public final class Sequence {
    private final Services services;
    private final boolean recover;

    public Sequence(Services services) {
        this(services, true);
    }

    /** @param recover whether to undo killed runs first (false: the caller just did, before its own reading) */
    Sequence(Services services, boolean recover) {
        this.services = services;
        this.recover = recover;
    }

    /**
     * What a run holds under its locks.
     *
     * @param guest the guest, its namespace reached through the pin; none for a run on the host only
     * @param view  the machine, read under the locks
     */
    public record Held(Optional<Guest> guest, MachineView view, Services services, List<String> locks) {

        /**
         * Carries out the plan; on a failure, what it did is undone. The journal's entry names the
         * locks held and the guest's namespace, so that the run, if killed, is undone under them.
         */
        public void execute(Plan plan) {
            execute(plan, () -> null);
        }

        /** Carries out the plan and checks what it made, still holding the locks; either failing undoes the plan. */
        public <T> T execute(Plan plan, Supplier<T> check) {
            Optional<JournalEntry.GuestNetns> netns = guest.filter(g -> !g.netnsPath().isEmpty())
                    .map(g -> new JournalEntry.GuestNetns(g.stableNetnsPath(), g.netnsInode(), g.netnsPath()));
            return services.executor().execute(plan, locks, netns, check);
        }
    }

    /**
     * Runs {@code body} under the locks of these host links and of this guest's namespace (as its
     * front end resolved it: a container found by a runtime, a CNI namespace path and container ID).
     */
    public <T> T run(Collection<String> links, Optional<Guest> guest, Function<Held, T> body) {
        return run(links, view -> guest, body);
    }

    /**
     * The same, with the guest resolved once the links are locked (a guest resolved before a long
     * wait on a busy bridge could have restarted meanwhile), from the view the run plans with: what
     * the host side is can be checked before the guest is looked for, as the original does.
     */
    public <T> T run(Collection<String> links, Function<MachineView, Optional<Guest>> resolve,
                     Function<Held, T> body) {
        if (recover) {
            Recovery.beforeRun(services);
        }
        try (RunLock lock = new RunLock(services.lockDir())) {
            List<String> held = new ArrayList<>();
            for (String link : new TreeSet<>(links)) {
                if (!link.isEmpty()) {
                    lock.acquire("link-" + link);
                    held.add("link-" + link);
                }
            }
            MachineView view = services.view();
            Optional<Guest> guest = resolve.apply(view);
            if (guest.isEmpty() || guest.get().netnsPath().isEmpty()) {
                return body.apply(new Held(guest, view, services, held));
            }
            Guest resolved = guest.get();
            lock.acquire("netns-" + resolved.netnsInode());
            held.add("netns-" + resolved.netnsInode());
            try (NetnsPin pin = NetnsPin.open(resolved)) {
                services.guests().verifyPinned(resolved);
                Guest pinned = resolved.withNetnsPath(pin.path());
                return body.apply(new Held(Optional.of(pinned), view, services, held));
            }
        }
    }
}
