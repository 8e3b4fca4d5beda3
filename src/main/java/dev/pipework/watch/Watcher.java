package dev.pipework.watch;

import dev.pipework.guest.DockerContainer;
import dev.pipework.guest.DockerEvents;
import dev.pipework.guest.DockerException;
import dev.pipework.guest.DockerRuntime;
import dev.pipework.ipam.Holder;
import dev.pipework.model.PoolAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Step;
import dev.pipework.run.Recovery;
import dev.pipework.run.Removal;
import dev.pipework.run.Services;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * {@code pipework watch}: reconciles every container at start, then follows the engine's events. A
 * container that starts gets what it declares; one that dies or is destroyed loses what the kernel
 * does not remove by itself (Open vSwitch ports and records, DHCP helpers and clients). When the
 * engine goes away the watcher reconnects with backoff, then reconciles again. One line per action
 * on stderr.
 */
public final class Watcher {
    static final Map<String, List<String>> FILTERS = Map.of("type", List.of("container"),
            "event", List.of("start", "die", "destroy"));
    private static final long MIN_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 8000;
    /** Retries of a container whose attach failed: delays in ms. */
    private static final long[] RETRIES = {100, 300, 1000, 3000};

    private final Services services;
    private final Reconciler reconciler;
    private final Path socket;
    private final PrintStream err;
    private final boolean verbose;
    private final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    private final Set<String> declaring = ConcurrentHashMap.newKeySet();
    /** Containers whose death was seen: their leftovers are gone, a start need not look for them. */
    private final Set<String> cleaned = ConcurrentHashMap.newKeySet();
    /** Retries due later: added by the lanes, taken by the loop that follows the events. */
    private final PriorityQueue<Later> later = new PriorityQueue<>();
    private final Object sleep = new Object();
    private volatile boolean stopping;
    private volatile DockerEvents events;
    private long sequence;
    private Lanes lanes;
    /** When the journal was last looked at for runs killed midway. */
    private long recoveredAt;
    /** How often the journal is looked at while the watcher waits for events. */
    private static final long RECOVERY_EVERY_NANOS = 60_000_000_000L;

    private record Later(long atNanos, long order, String id, int attempt) implements Comparable<Later> {
        public int compareTo(Later o) {
            int c = Long.compare(atNanos, o.atNanos);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /**
     * @param socket the engine's API socket, whose events are followed
     */
    public Watcher(Services services, Reconciler reconciler, Path socket, PrintStream err, boolean verbose) {
        this.services = services;
        this.reconciler = reconciler;
        this.socket = socket;
        this.err = err;
        this.verbose = verbose;
    }

    /**
     * Makes {@link #run} return after the actions under way: an attach or a removal already begun
     * goes on to its end, none begins after. Safe from any thread; the front end calls it on SIGTERM
     * and SIGINT ({@code Shutdown.finishActionOnSignal}).
     */
    public void stop() {
        stopping = true;
        DockerEvents e = events;
        if (e != null) {
            e.wake();
        }
        synchronized (sleep) {
            sleep.notifyAll();
        }
    }

    public int run() {
        try {
            long backoff = MIN_BACKOFF_MS;
            boolean connectedBefore = false;
            boolean reported = false;
            lanes = new Lanes(() -> stopping, e -> say("watch: " + Reconciler.message(e)));
            while (!stopping) {
                DockerEvents stream;
                try {
                    stream = DockerEvents.open(socket, FILTERS);
                    stream.awaitAnswer(5000);
                } catch (DockerException e) {
                    if (!reported || verbose) {
                        say("watch: cannot follow the engine's events (" + e.getMessage() + "); retrying");
                        reported = true;
                    }
                    pause(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                    continue;
                }
                events = stream;
                say("watch: " + (connectedBefore ? "reconnected to " : "following the events of ") + "unix://" + socket);
                connectedBefore = true;
                reported = false;
                backoff = MIN_BACKOFF_MS;
                try {
                    // What the lanes were doing before the engine went away ends before everything is read again.
                    lanes.awaitIdle();
                    recover();
                    reconcileAll();
                    follow(stream);
                } catch (DockerException e) {
                    say("watch: the engine went away (" + e.getMessage() + "); reconnecting");
                } finally {
                    events = null;
                    stream.close();
                }
            }
            lanes.close();
            say("watch: stopped");
            return 0;
        } finally {
            if (lanes != null) {
                lanes.close();
            }
            err.flush();
        }
    }

    private void follow(DockerEvents stream) throws DockerException {
        while (!stopping) {
            Later next;
            synchronized (later) {
                next = later.peek();
            }
            long wait = next == null ? 60_000 : Math.max(1, (next.atNanos() - System.nanoTime()) / 1_000_000);
            Optional<DockerEvents.Event> event = stream.next(wait);
            if (stopping) {
                return;
            }
            // Each container's events in their order, those of distinct containers side by side.
            event.ifPresent(e -> lanes.submit(e.id(), () -> handle(e)));
            if (System.nanoTime() - recoveredAt > RECOVERY_EVERY_NANOS) {
                recover();
            }
            for (Later due = due(); due != null && !stopping; due = due()) {
                Later retry = due;
                lanes.submit(retry.id(), () -> started(retry.id(), retry.attempt()));
            }
        }
    }

    private void handle(DockerEvents.Event e) {
        if (verbose) {
            say("watch: event " + e.action() + " " + e.name() + " (" + e.id() + ")");
        }
        switch (e.action()) {
            case "start" -> started(e.id(), 0);
            case "die" -> {
                if (declaring.contains(e.id()) || Declaration.anyIn(e.attributes())) {
                    removeLeftovers(e.id(), e.name(), "stopped");
                    cleaned.add(e.id());
                }
            }
            case "destroy" -> {
                cleaned.remove(e.id());
                if (declaring.remove(e.id()) || Declaration.anyIn(e.attributes())) {
                    removeLeftovers(e.id(), e.name(), "destroyed");
                }
                givePoolsBack(e.id(), e.name());
            }
            default -> {
                // not asked for
            }
        }
    }

    /** Undoes what runs killed midway (any pipework's, on this host) left. */
    private void recover() {
        recoveredAt = System.nanoTime();
        try {
            Recovery.recover(services).recovered().forEach(line -> say("watch: " + line));
        } catch (RuntimeException e) {
            say("watch: cannot recover runs killed midway: " + e.getMessage());
        }
    }

    private void reconcileAll() {
        try {
            for (Reconciler.Outcome o : reconciler.all()) {
                report(o);
            }
        } catch (PipeworkException e) {
            say("watch: " + Reconciler.message(e));
        }
    }

    /** A container started: what it declares is attached, after what an earlier run of it left is removed. */
    private void started(String id, int attempt) {
        Optional<DockerContainer> found;
        try {
            found = services.docker().inspect(id);
        } catch (DockerException e) {
            say("watch: cannot inspect container " + id + ": " + e.getMessage());
            return;
        }
        if (found.isEmpty() || !found.get().running()) {
            return;
        }
        DockerContainer c = found.get();
        if (!reconciler.declares(c.id(), c.plainName(), c.labels())) {
            return;
        }
        declaring.add(c.id());
        if (attempt == 0 && !cleaned.remove(c.id()) && c.stoppedBefore()) {
            // Its death was not seen (the watcher was not running, or the engine was away). A
            // container's first start has nothing of an earlier run to remove: a burst of new
            // containers costs no reading of Open vSwitch's records each.
            removeLeftovers(c.id(), c.plainName(), "restarted");
        }
        boolean failed = false;
        for (Reconciler.Outcome o : reconciler.container(c)) {
            report(o);
            failed |= o.action() == Reconciler.Action.FAILED;
        }
        if (failed && attempt < RETRIES.length) {
            schedule(c.id(), attempt + 1);
        }
    }

    private void removeLeftovers(String id, String token, String why) {
        try {
            // By ID: a destroyed container's name may now be another container's, a named netns's or
            // a CNI container ID, whose attachments are not its leftovers.
            Plan plan = new Removal(reconciler.byId(id), quiet, quiet).removeLeftovers(id);
            if (!plan.steps().isEmpty()) {
                say(token + ": " + why + "; " + plan.steps().stream().map(Step::action)
                        .collect(Collectors.joining(", ")));
            }
        } catch (PipeworkException e) {
            say(token + ": " + why + "; removing what it left failed: " + Reconciler.message(e));
        }
    }

    /**
     * A container destroyed (removed without {@code pipework del}, declared or not): the addresses
     * the pools hold for it go back; its ID never names another container.
     */
    private void givePoolsBack(String id, String token) {
        if (!id.matches("[0-9a-f]{64}")) {
            return;
        }
        try {
            for (PoolAddress given : services.ipam().release(new Holder(DockerRuntime.RUNTIME.key(), id, "-"), true)) {
                say(token + ": destroyed; gave back " + given.address() + " to pool \"" + given.pool() + "\"");
            }
        } catch (PipeworkException e) {
            say(token + ": destroyed; giving back its pool addresses failed: " + Reconciler.message(e));
        }
    }

    private void schedule(String id, int attempt) {
        synchronized (later) {
            later.add(new Later(System.nanoTime() + RETRIES[attempt - 1] * 1_000_000L, sequence++, id, attempt));
        }
        // The loop may be waiting for events for a minute: it looks at the retries again now.
        DockerEvents e = events;
        if (e != null) {
            e.wake();
        }
    }

    /** The first retry due now, taken off the list. */
    private Later due() {
        synchronized (later) {
            Later next = later.peek();
            return next != null && next.atNanos() <= System.nanoTime() ? later.poll() : null;
        }
    }

    private void report(Reconciler.Outcome o) {
        // A line of the attachments file naming a container that is not running waits for its start.
        if ((o.action() == Reconciler.Action.UNCHANGED || o.action() == Reconciler.Action.NO_GUEST) && !verbose) {
            return;
        }
        err.println(o.line());
    }

    private void say(String line) {
        err.println("pipework: " + line);
    }

    private void pause(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        synchronized (sleep) {
            while (!stopping) {
                long left = (end - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return;
                }
                try {
                    sleep.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
