package dev.pipework.run;

import dev.pipework.ipam.OverlayRegistry;
import dev.pipework.model.Failure;
import dev.pipework.plan.Overlay;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code pipework overlay keep}: keeps the overlays that follow etcd ({@code peers etcd}). It
 * registers this host's underlay address for each one's VNI under a lease it renews every third
 * of the TTL, follows the overlays' keys with etcd's watch, and on each change brings each overlay
 * to the peers registered, one run each through {@link Sequence} (its bridge locked, the machine
 * read, planned, executed). Every {@code rescan} it also looks for overlays added or removed on
 * this host and runs each overlay's plan whatever etcd said, which repairs what was changed by hand.
 */
public final class OverlayKeeper {
    private final Services services;
    private final OverlayRegistry registry;
    private final long ttlSeconds;
    private final long rescanMillis;
    private final PrintStream err;
    private final boolean verbose;
    private final Planner planner = new Planner();
    private final Object signal = new Object();
    private boolean changed = true;
    private volatile boolean stopping;
    /** What each overlay was last brought to, and the notices it gave: a pass with nothing new runs nothing. */
    private final Map<String, Map<String, String>> applied = new HashMap<>();
    private final Map<String, List<String>> noticed = new HashMap<>();
    private String lastFailure = "";
    private List<Overlay> mine = List.of();

    public OverlayKeeper(Services services, OverlayRegistry registry, long ttlSeconds, long rescanMillis,
                         PrintStream err, boolean verbose) {
        this.services = services;
        this.registry = registry;
        this.ttlSeconds = ttlSeconds;
        this.rescanMillis = rescanMillis;
        this.err = err;
        this.verbose = verbose;
    }

    /** Until {@link #stop}: the lease given back at the end, so that the other hosts drop this one at once. */
    public int run() {
        Thread watch = new Thread(this::follow, "pipework-overlay-watch");
        watch.setDaemon(true);
        watch.start();
        // The lease renewed on a thread of its own: a pass waiting for a bridge's lock must not let it expire.
        Thread renew = new Thread(() -> renew(Math.max(500, ttlSeconds * 1000 / 3)), "pipework-overlay-lease");
        renew.setDaemon(true);
        renew.start();
        long nextRescan = 0;
        try {
            while (!stopping) {
                long now = System.currentTimeMillis();
                boolean rescan = now >= nextRescan;
                if (rescan) {
                    nextRescan = now + rescanMillis;
                }
                pass(rescan);
                synchronized (signal) {
                    long wait = nextRescan - System.currentTimeMillis();
                    if (!changed && !stopping && wait > 0) {
                        signal.wait(wait);
                    }
                    changed = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            registry.close();
        }
        return 0;
    }

    public void stop() {
        stopping = true;
        nudge();
    }

    private void nudge() {
        synchronized (signal) {
            changed = true;
            signal.notifyAll();
        }
    }

    private void renew(long every) {
        while (!stopping) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            guarded(() -> {
                if (!registry.keepAlive()) {
                    err.println("pipework: overlay keep: the lease in " + registry.shown() + " had expired: registering again");
                    nudge();
                }
            });
        }
    }

    /** The watch, taken again (on the next member) whenever its stream ends; each line it sends starts a pass. */
    private void follow() {
        while (!stopping) {
            try {
                registry.watch(this::nudge);
            } catch (RuntimeException e) {
                report(e);
            }
            nudge();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Registers this host's overlays and brings each to the peers registered for its VNI. */
    private void pass(boolean rescan) {
        boolean[] failed = {false};
        guarded(() -> {
            // The host's overlays are looked for at each rescan; a change in etcd reads etcd only.
            if (rescan) {
                mine = planner.overlays(services.view()).stream().filter(Overlay::etcd).toList();
            }
            applied.keySet().retainAll(mine.stream().map(Overlay::bridge).toList());
        }, failed);
        // Each overlay on its own: one that cannot be brought to its peers holds up no other.
        for (Overlay overlay : mine) {
            guarded(() -> {
                Map<String, String> registered = new TreeMap<>();
                registry.peers(overlay.vni()).forEach(v -> registered.put(v.host(), v.address()));
                if (rescan || !registered.equals(applied.get(overlay.bridge()))) {
                    follow(overlay.bridge(), registered);
                    applied.put(overlay.bridge(), registered);
                }
            }, failed);
        }
        // Registered once its own tunnels are in place: a host the others see is one that reaches them.
        guarded(() -> {
            Map<Integer, String> addresses = new TreeMap<>();
            mine.forEach(o -> addresses.put(o.vni(), o.local()));
            registry.register(addresses);
        }, failed);
        if (!failed[0]) {
            lastFailure = "";
        }
    }

    private void follow(String bridge, Map<String, String> registered) {
        new Sequence(services).run(List.of(bridge), Optional.empty(), held -> {
            Plan plan = planner.planOverlayPeers(bridge, registered, held.view());
            if (!plan.notices().equals(noticed.get(bridge))) {
                plan.notices().forEach(err::println);
                noticed.put(bridge, plan.notices());
            }
            if (!plan.steps().isEmpty()) {
                held.execute(plan);
                if (verbose) {
                    plan.steps().forEach(s -> err.println("pipework: overlay keep: " + s.action()));
                }
            }
            return plan;
        });
    }

    /** A failure is reported once until it changes or a pass succeeds; the keeper carries on. */
    private void guarded(Runnable r) {
        guarded(r, new boolean[1]);
    }

    private void guarded(Runnable r, boolean[] failed) {
        try {
            r.run();
        } catch (RuntimeException e) {
            failed[0] = true;
            report(e);
        }
    }

    private synchronized void report(RuntimeException e) {
        String line = "pipework: overlay keep: " + Failure.of(e).oneLine();
        if (!line.equals(lastFailure)) {
            err.println(line);
            lastFailure = line;
        }
    }
}
