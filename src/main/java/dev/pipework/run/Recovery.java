package dev.pipework.run;

import dev.pipework.exec.Journal;
import dev.pipework.exec.JournalEntry;
import dev.pipework.guest.NetnsPin;
import dev.pipework.host.RunLock;
import dev.pipework.model.Guest;
import dev.pipework.model.Runtime;
import dev.pipework.plan.Command;
import dev.pipework.sys.Where;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Undoes the runs the journal shows in flight whose process is gone (killed midway: SIGKILL, the OOM
 * killer, a power cut), before any other run changes the machine, and for {@code status} and
 * {@code recover}. Each is undone under the locks it held, taken again in its order, and read again
 * under them: a run whose owner still lives (the same PID with the same start time, in this boot) is never
 * touched, and of two recoveries at once the second finds the entry gone. Its guest's namespace is
 * reached only when the recorded path still names the namespace of the recorded inode; otherwise
 * the undos inside it are skipped (the namespace, and what was in it, are gone). A run of an earlier
 * boot is undone only where what it changed outlives a reboot (an Open vSwitch record, a file, a
 * container): the names its other undos act on may now be this boot's own links and processes.
 */
public final class Recovery {
    private static final Runtime JOURNAL = new Runtime("journal", "guest of a run killed midway", false);

    private Recovery() {
    }

    /** What one look at the journal found and did, one line each. */
    public record Report(List<String> recovered, List<String> kept, List<String> inFlight) {
        public boolean empty() {
            return recovered.isEmpty() && kept.isEmpty() && inFlight.isEmpty();
        }

        public List<String> lines() {
            List<String> lines = new ArrayList<>(recovered);
            lines.addAll(kept);
            lines.addAll(inFlight);
            return lines;
        }
    }

    /** Before a run changes the machine: the killed runs undone, what was done said on stderr. */
    public static void beforeRun(Services services) {
        if (services.journal().isPresent() && services.effectiveUid().getAsInt() == 0) {
            recover(services).recovered().forEach(services.warn());
        }
    }

    /** Undoes every killed run found; says what else is there (entries kept, runs in flight). */
    public static Report recover(Services services) {
        List<String> recovered = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> inFlight = new ArrayList<>();
        if (services.journal().isEmpty()) {
            return new Report(recovered, kept, inFlight);
        }
        Journal journal = services.journal().get();
        long here = Journal.netns();
        for (Journal.Found found : journal.list()) {
            if (found.problem().isPresent()) {
                kept.add("journal entry " + found.name() + " kept, not run: " + found.problem().get());
            } else if (found.ownerAlive()) {
                JournalEntry e = found.entry().orElseThrow();
                inFlight.add("run in flight: PID " + e.owner().pid() + ", " + e.done() + " of " + e.steps().size()
                        + " steps done");
            } else if (found.entry().get().owner().netns() != here && !found.earlierBoot()) {
                // Its undos name links of the host it ran in: here they could be others of the same name.
                // (A run of an earlier boot leaves to undo only what is in no namespace: its own is gone,
                // and its number may be another's now.)
                kept.add("journal entry " + found.name() + " kept, not run: its run was in network namespace net:["
                        + found.entry().get().owner().netns() + "], this one is in net:[" + here + "]; run pipework"
                        + " recover there");
            } else {
                recoverOne(services, journal, found.name()).ifPresent(recovered::add);
            }
        }
        return new Report(recovered, kept, inFlight);
    }

    private static Optional<String> recoverOne(Services services, Journal journal, String name) {
        Optional<JournalEntry> recorded = journal.read(name).flatMap(Journal.Found::entry);
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        try (RunLock lock = new RunLock(services.lockDir())) {
            for (String held : recorded.get().locks()) {
                lock.acquire(held);
            }
            Optional<Journal.Found> again = journal.read(name);
            if (again.isEmpty() || again.get().entry().isEmpty() || again.get().ownerAlive()) {
                return Optional.empty();
            }
            boolean rebooted = again.get().earlierBoot();
            JournalEntry entry = rebooted ? again.get().entry().get().afterReboot() : again.get().entry().get();
            NetnsPin pin = entry.guest().flatMap(Recovery::pin).orElse(null);
            try {
                String self = "/proc/" + ProcessHandle.current().pid();
                String pinned = entry.guest().map(JournalEntry.GuestNetns::pinned).orElse("\0");
                String reached = pin == null ? "\0" : pin.path();
                UnaryOperator<String> word = w -> w.equals(pinned) ? reached
                        : w.equals("--net=" + pinned) ? "--net=" + reached
                        : w.equals(entry.ownerHostNetns()) ? self + "/ns/net"
                        : w;
                UnaryOperator<Command> rebind = c -> rebind(c, word, entry.owner().pid());
                List<String> failures = services.executor().undoRecorded(entry, rebind, pin != null);
                journal.remove(name);
                StringBuilder line = new StringBuilder("undid a run killed midway (PID " + entry.owner().pid() + ", "
                        + entry.done() + " of " + entry.steps().size() + " steps done"
                        + (entry.begun() > entry.done() ? ", " + (entry.begun() - entry.done()) + " begun" : "") + ")");
                if (rebooted) {
                    line.append(" before the machine last booted: only what outlives a reboot was undone (Open vSwitch"
                            + " records, files, containers; the reboot cleared its links, addresses, routes and processes)");
                } else if (entry.guest().isPresent() && pin == null) {
                    line.append("; its guest's namespace is gone");
                }
                failures.forEach(f -> line.append(System.lineSeparator()).append(f));
                return Optional.of(line.toString());
            } finally {
                if (pin != null) {
                    pin.close();
                }
            }
        }
    }

    /**
     * The guest's namespace, held open, when the recorded path still names it: a namespace file (not
     * a FIFO or a device, which opening could block on or act on) of the recorded inode.
     */
    private static Optional<NetnsPin> pin(JournalEntry.GuestNetns netns) {
        Path path = Path.of(netns.path());
        try {
            if (!Files.isRegularFile(path) || ((Number) Files.getAttribute(path, "unix:ino")).longValue() != netns.inode()) {
                return Optional.empty();
            }
            return Optional.of(NetnsPin.open(new Guest("journal", JOURNAL, Optional.empty(), Optional.empty(), 0,
                    netns.path(), netns.inode())));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The undo as this process runs it: the owner's descriptor of the guest's namespace becomes this
     * process's, the owner's host namespace this process's, and the PID a wireless NIC goes back to
     * ({@code iw phy <phy> set netns <pid>}, the last word) this process's.
     */
    private static Command rebind(Command command, UnaryOperator<String> word, long owner) {
        if (command instanceof Command.Ip ip) {
            String where = ip.where().isHost() ? "" : word.apply(ip.where().netnsPath());
            return new Command.Ip(new Where(where), ip.family(), ip.words().stream().map(word).toList());
        }
        if (command instanceof Command.Exec exec) {
            List<String> argv = new ArrayList<>(exec.argv().stream().map(word).toList());
            int last = argv.size() - 1;
            if (argv.contains("iw") && argv.get(last).equals(Long.toString(owner))) {
                argv.set(last, Long.toString(ProcessHandle.current().pid()));
            }
            return new Command.Exec(argv, exec.successStatuses(), exec.bound());
        }
        return command;
    }
}
