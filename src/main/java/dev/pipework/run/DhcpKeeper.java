package dev.pipework.run;

import dev.pipework.guest.ProcessRuntime;
import dev.pipework.host.RunLock;
import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.DhcpKeeping;
import dev.pipework.plan.UdhcpcHook;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The lease keeper: one process on the machine ({@code pipework dhcp-keeper}, held single by a
 * lock) that owns the DHCP clients attaches started. Its state is the records under
 * {@link DhcpKeeping#DIR}, never its memory: each round it reads them again, and for each one
 * <ul>
 * <li>whose guest is gone (its process ended, or lives in another namespace now): stops the client,
 *     which would otherwise hold the old namespace and its interface alive, and removes the record
 *     and pid file; the lease file stays, so the container restarted asks for its address again;</li>
 * <li>whose client died: starts it again in the guest's namespace, through {@link Sequence} (under the
 *     namespace's lock, held open and checked), with its lease file, so it keeps its address.</li>
 * </ul>
 * It ends once no record has been left for a while; the next attach starts it again.
 */
public final class DhcpKeeper {
    /** How often the records are read. */
    static final Duration ROUND = Duration.ofSeconds(1);
    /** How long it stays with nothing to keep. */
    static final Duration IDLE = Duration.ofSeconds(10);

    private final Services services;
    private final PrintStream log;
    private final Planner planner = new Planner();
    private volatile boolean stopping;

    public DhcpKeeper(Services services, PrintStream log) {
        this.services = services;
        this.log = log;
    }

    /** Asks the loop to end after the round under way. */
    public void stop() {
        stopping = true;
    }

    /** Keeps the clients until nothing is left to keep; 0 at once when another keeper runs. */
    public int run() {
        services.requireRoot("it starts and stops DHCP clients in the guests' namespaces");
        boolean started = false;
        while (true) {
            try (RunLock single = new RunLock(services.lockDir())) {
                if (!single.tryAcquire("dhcp-keeper")) {
                    return 0;
                }
                if (!started) {
                    say("started");
                    started = true;
                }
                keepUntilIdle();
            }
            // The lock let go: an attach that wrote its record while this keeper was about to end
            // started a keeper that found the lock taken and went. Its record is kept from here.
            if (stopping || records().isEmpty()) {
                say("nothing left to keep; exiting");
                return 0;
            }
        }
    }

    private void keepUntilIdle() {
        Instant idleSince = Instant.now();
        while (!stopping) {
            clean();
            try {
                repairHook();
            } catch (PipeworkException | IllegalStateException e) {
                say("udhcpc's hook: " + e.getMessage());
            }
            List<DhcpKeeping.Kept> records = records();
            if (!records.isEmpty()) {
                idleSince = Instant.now();
            } else if (Duration.between(idleSince, Instant.now()).compareTo(IDLE) >= 0) {
                return;
            }
            for (DhcpKeeping.Kept k : records) {
                if (stopping) {
                    break;
                }
                try {
                    keep(k);
                } catch (PipeworkException | IllegalStateException e) {
                    say(k.key() + ": " + e.getMessage());
                }
            }
            sleep(ROUND);
        }
    }

    /** The records as they are now; a file that does not validate is not one. */
    List<DhcpKeeping.Kept> records() {
        List<DhcpKeeping.Kept> found = new ArrayList<>();
        for (String file : services.host().listFiles(DhcpKeeping.DIR)) {
            if (file.endsWith(".record")) {
                read(DhcpKeeping.DIR + "/" + file).ifPresent(found::add);
            }
        }
        return found;
    }

    private Optional<DhcpKeeping.Kept> read(String path) {
        return services.host().readFile(path, 4096).flatMap(DhcpKeeping.Kept::parse)
                .filter(k -> k.recordFile().equals(path));
    }

    private void keep(DhcpKeeping.Kept k) {
        OptionalLong inode = services.host().netnsInodeOf(k.netnsFile());
        if (inode.isEmpty() || inode.getAsLong() != k.netnsInode()) {
            forget(k);
            return;
        }
        if (alive(k)) {
            return;
        }
        Guest guest = new Guest(k.hostname(), ProcessRuntime.RUNTIME, Optional.empty(), Optional.empty(),
                0, k.netnsFile(), k.netnsInode());
        new Sequence(services).run(List.of(), Optional.of(guest), held -> {
            // Under the namespace's lock: a del that took it first has removed the record.
            if (read(k.recordFile()).filter(k::equals).isEmpty() || alive(k)) {
                return null;
            }
            Plan plan = planner.planKeptRestart(k, held.guest().orElseThrow(), held.view());
            held.execute(plan);
            say("restarted " + k.client() + " for " + k.iface() + " of " + k.hostname() + " (" + k.key() + ")");
            return null;
        });
    }

    /**
     * Each round, removes the files of clients whose guest went for good ({@link DhcpKeeping#leftovers}): no
     * record, nothing changed for hours, the lease they hold expired.
     */
    void clean() {
        Map<String, Instant> files = new LinkedHashMap<>();
        for (String name : services.host().listFiles(DhcpKeeping.DIR)) {
            services.host().lastModified(DhcpKeeping.DIR + "/" + name).ifPresent(t -> files.put(name, t));
        }
        List<String> gone = DhcpKeeping.leftovers(files, key -> services.host()
                .readFile(DhcpKeeping.DIR + "/" + key + ".leases", 1 << 20)
                .flatMap(t -> DhcpKeeping.lastLease(key, t).or(() -> DhcpKeeping.udhcpcLeaseOf(key, t))), Instant.now());
        Optional<String> hook = services.host().readFile(DhcpKeeping.HOOK, 4096);
        gone = new ArrayList<>(gone);
        gone.addAll(UdhcpcHook.staleFiles(files, hook, Instant.now()));
        if (!gone.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("rm", "-f"));
            gone.forEach(n -> argv.add(DhcpKeeping.DIR + "/" + n));
            services.runner().run(argv);
            say("removed the files of clients no guest came back for: " + String.join(" ", gone));
        }
    }

    /** udhcpc's hook written again when it names a Java or arguments that are gone (see {@link UdhcpcHook#broken}). */
    void repairHook() {
        Optional<String> hook = services.host().readFile(DhcpKeeping.HOOK, 4096);
        String ours = services.view().pipeworkCommand().get(0);
        // Followed as the kernel follows the hook's first line: a Java named through a link is there.
        if (!UdhcpcHook.broken(hook, p -> java.nio.file.Files.exists(java.nio.file.Path.of(p)), ours)) {
            return;
        }
        new Sequence(services).run(List.of(), Optional.empty(), held -> {
            held.execute(planner.planUdhcpcHook(held.view()));
            return null;
        });
        say("udhcpc's hook named a Java or arguments that are gone; written again for " + ours);
    }

    private boolean alive(DhcpKeeping.Kept k) {
        return services.host().processOf(k.pidFile(), k.client(), k.netnsInode()).isPresent();
    }

    /** The guest is gone: its client goes too, without a release (its interface went with the guest). */
    private void forget(DhcpKeeping.Kept k) {
        try (RunLock lock = new RunLock(services.lockDir())) {
            lock.acquire("netns-" + k.netnsInode());
            if (read(k.recordFile()).filter(k::equals).isEmpty()) {
                return;
            }
            Optional<Long> pid = services.host().processOf(k.pidFile(), k.client(), k.netnsInode());
            pid.ifPresent(p -> services.runner().run(List.of("kill", Long.toString(p))));
            services.runner().run(List.of("rm", "-f", k.recordFile(), k.pidFile()));
            say("stopped " + k.client() + " for " + k.iface() + " of " + k.hostname() + ": the guest is gone ("
                    + k.key() + ")");
        }
    }

    private void say(String line) {
        log.println(Instant.now() + " pipework dhcp-keeper: " + line);
        log.flush();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
