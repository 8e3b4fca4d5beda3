package dev.pipework.exec;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.Family;
import dev.pipework.plan.Command;
import dev.pipework.plan.Step;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One run in flight, as the journal keeps it: who runs it, the locks it holds, the guest's namespace
 * it reaches, the undo of each of its steps, and how far it went. Steps {@code [0, done)} are known
 * done; steps {@code [done, begun)} were begun and may or may not have taken effect.
 *
 * @param owner the process that runs it, by PID and start time
 * @param locks the names of the run locks it holds, in the order it took them
 * @param guest the guest's namespace, when the run reaches one
 */
public record JournalEntry(Owner owner, List<String> locks, Optional<GuestNetns> guest, List<Undo> steps,
                           int done, int begun) {
    static final int VERSION = 2;

    public JournalEntry {
        locks = List.copyOf(locks);
        steps = List.copyOf(steps);
        if (done < 0 || begun < done || begun > steps.size()) {
            throw new IllegalArgumentException("progress " + done + "/" + begun + " out of " + steps.size() + " steps");
        }
    }

    /**
     * A process, told apart from a later one given the same PID by its start time (field 22 of
     * {@code /proc/<pid>/stat}, in clock ticks since boot) and the boot it ran in (the kernel's
     * {@code boot_id}; empty when unknown, as in entries written before it was recorded: a PID and a
     * start time come again after a reboot), and the network namespace it ran in (the inode of its
     * {@code /proc/<pid>/ns/net}): the host its undos name links of.
     */
    public record Owner(long pid, long startTime, long netns, String boot) {
        public Owner {
            if (!boot.isEmpty() && !BootId.PATTERN.matcher(boot).matches()) {
                throw new IllegalArgumentException("\"boot\" is not a boot id");
            }
        }

        /** An owner of an unknown boot. */
        public Owner(long pid, long startTime, long netns) {
            this(pid, startTime, netns, "");
        }
    }

    /**
     * The guest's namespace: the stable path it was resolved from ({@code /proc/<pid>/ns/net} or a
     * netns file), its inode, and the path the run reached it through (its own descriptor), which
     * the recorded undo commands name.
     */
    public record GuestNetns(String path, long inode, String pinned) {
    }

    /**
     * The undo of one step (none when the step needs none), and whether it is harmless where the
     * step never ran ({@link Step#undoHarmlessIfNotRun}): only such an undo is run for a step begun
     * and not known done. Its JSON key is {@code sameNamespace}.
     */
    public record Undo(String action, Optional<Command> command, boolean harmlessIfNotRun) {
    }

    /**
     * Whether an undo of this run acts on what outlives a reboot ({@link #outlivesReboot}): after a
     * power cut, a run whose every undo is not such has nothing left to undo.
     */
    public boolean undoesWhatOutlivesReboot() {
        for (Undo u : steps) {
            if (u.command().isPresent() && outlivesReboot(u.command().get())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether what this undo acts on outlives a reboot: an Open vSwitch database's record
     * ({@code ovs-vsctl}), a file, a container. Everything else it may act on is the kernel's or a
     * process's, which a reboot clears: links, addresses and routes ({@code ip}), a wireless NIC's
     * namespace ({@code iw}), a mount ({@code umount}), a DHCP client ({@code pkill}). After the
     * reboot those names may be another boot's: a bridge of the same name, a client of the same key.
     * (The files' names, of PIDs and namespaces' numbers, come again too; every run recovers before
     * its first change, so none of this boot's is made before an earlier boot's entry is undone.)
     */
    public static boolean outlivesReboot(Command undo) {
        if (undo instanceof Command.RemoveLabelled) {
            return true;
        }
        if (undo instanceof Command.Exec exec && !exec.argv().isEmpty()) {
            String program = exec.argv().get(0);
            return program.equals("ovs-vsctl") || program.equals("rm");
        }
        return false;
    }

    /**
     * This entry as a later boot undoes it: only the undos of what outlives a reboot are kept, and no
     * guest (its namespace went with the boot).
     */
    public JournalEntry afterReboot() {
        List<Undo> kept = new ArrayList<>(steps.size());
        for (Undo u : steps) {
            kept.add(new Undo(u.action(), u.command().filter(JournalEntry::outlivesReboot), u.harmlessIfNotRun()));
        }
        return new JournalEntry(owner, locks, Optional.empty(), kept, done, begun);
    }

    public JournalEntry withProgress(int newDone, int newBegun) {
        return new JournalEntry(owner, locks, guest, steps, newDone, newBegun);
    }

    /** The host's namespace as the owner named it in its undo commands. */
    public String ownerHostNetns() {
        return "/proc/" + owner.pid() + "/ns/net";
    }

    // ------------------------------------------------------------------ JSON

    public String toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("version", (long) VERSION);
        o.put("pid", owner.pid());
        o.put("start", owner.startTime());
        o.put("netns", owner.netns());
        if (!owner.boot().isEmpty()) {
            o.put("boot", owner.boot());
        }
        o.put("locks", List.copyOf(locks));
        guest.ifPresent(g -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", g.path());
            m.put("inode", g.inode());
            m.put("pinned", g.pinned());
            o.put("guest", m);
        });
        List<Object> list = new ArrayList<>();
        for (Undo u : steps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("action", u.action());
            u.command().ifPresent(c -> m.put("undo", commandJson(c)));
            m.put("sameNamespace", u.harmlessIfNotRun());
            list.add(m);
        }
        o.put("steps", list);
        o.put("done", (long) done);
        o.put("begun", (long) begun);
        return Json.write(o);
    }

    private static Map<String, Object> commandJson(Command c) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (c instanceof Command.Ip ip) {
            m.put("type", "ip");
            m.put("where", ip.where().netnsPath());
            ip.family().ifPresent(f -> m.put("family", f.name()));
            m.put("words", List.copyOf(ip.words()));
        } else if (c instanceof Command.Exec exec) {
            m.put("type", "exec");
            m.put("argv", List.copyOf(exec.argv()));
            if (!exec.successStatuses().equals(Set.of(0))) {
                m.put("succeedsWith", exec.successStatuses().stream().sorted().map(Long::valueOf).toList());
            }
            exec.bound().ifPresent(b -> m.put("boundSeconds", b.toSeconds()));
        } else if (c instanceof Command.RemoveLabelled r) {
            m.put("type", "remove-labelled");
            m.put("label", r.label());
            m.put("value", r.value());
        } else {
            // Never an undo: recorded so that the entry is refused when read, not silently dropped.
            m.put("type", c.getClass().getSimpleName());
        }
        return m;
    }

    /** Reads an entry of this version (see {@link #parse(String, LongSupplier)}); one of version 1 is refused. */
    public static JournalEntry parse(String text) {
        return parse(text, () -> {
            throw new IllegalArgumentException("version 1, which names no network namespace");
        });
    }

    /**
     * Reads an entry. Anything not as this class writes it (a member missing or of another type,
     * progress out of range, an undo not of the kinds pipework plans) is refused with the reason:
     * the file is input, and what it names is run as root.
     *
     * <p>An entry of version 1 is as this one without {@code netns}: it was written by the code
     * before entries named their namespace, which knew of none but the host's. Its owner is taken
     * to have run in {@code initialNetns}, the host's namespace as this process finds it; the entry
     * is then undone, or kept, as one of this version written there.
     */
    public static JournalEntry parse(String text, LongSupplier initialNetns) {
        try {
            Map<String, Object> o = Json.object(Json.parse(text));
            long version = Json.number(o, "version");
            long netns;
            if (version == VERSION) {
                netns = positive(o, "netns");
            } else if (version == 1 && !o.containsKey("netns")) {
                netns = initialNetns.getAsLong();
            } else {
                throw new IllegalArgumentException("version " + o.get("version") + " is not " + VERSION);
            }
            String boot = "";
            if (o.containsKey("boot")) {
                boot = String.valueOf(Json.string(o, "boot"));
                if (!BootId.PATTERN.matcher(boot).matches()) {
                    throw new IllegalArgumentException("\"boot\" is not a boot id");
                }
            }
            Owner owner = new Owner(positive(o, "pid"), positive(o, "start"), netns, boot);
            List<String> locks = strings(o.get("locks"));
            for (String lock : locks) {
                UndoCheck.lockName(lock);
            }
            Optional<GuestNetns> guest = Optional.empty();
            if (o.containsKey("guest")) {
                Map<String, Object> g = Json.object(o.get("guest"));
                guest = Optional.of(new GuestNetns(UndoCheck.netnsPath(Json.string(g, "path")), positive(g, "inode"),
                        UndoCheck.pinnedPath(Json.string(g, "pinned"), owner)));
            }
            List<Undo> steps = new ArrayList<>();
            for (Object s : Json.array(o.get("steps"))) {
                Map<String, Object> m = Json.object(s);
                String action = Json.string(m, "action");
                if (action == null) {
                    throw new IllegalArgumentException("a step without its action");
                }
                Optional<Command> undo = m.containsKey("undo") ? Optional.of(command(Json.object(m.get("undo"))))
                        : Optional.empty();
                steps.add(new Undo(UndoCheck.printable(action), undo, Json.bool(m, "sameNamespace")));
            }
            JournalEntry entry = new JournalEntry(owner, locks, guest, steps, (int) bounded(o, "done", steps.size()),
                    (int) bounded(o, "begun", steps.size()));
            for (Undo u : steps) {
                u.command().ifPresent(c -> UndoCheck.check(c, entry));
            }
            return entry;
        } catch (JsonException | ClassCastException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Command command(Map<String, Object> m) {
        String type = String.valueOf(Json.string(m, "type"));
        switch (type) {
            case "ip": {
                String where = Json.string(m, "where");
                Optional<Family> family = Optional.empty();
                if (m.containsKey("family")) {
                    String f = Json.string(m, "family");
                    family = Optional.of(Set.of("INET", "INET6").contains(f) ? Family.valueOf(f) : fail("family " + f));
                }
                return new Command.Ip(where == null ? fail("an ip undo without its namespace") : new Where(where),
                        family, strings(m.get("words")));
            }
            case "exec": {
                Set<Integer> succeeds = Set.of(0);
                if (m.get("succeedsWith") != null) {
                    List<Integer> statuses = new ArrayList<>();
                    for (Object v : Json.array(m.get("succeedsWith"))) {
                        if (!(v instanceof Number n) || n.longValue() < 0 || n.longValue() > 255 || statuses.size() >= 8) {
                            throw new IllegalArgumentException("exit statuses of an undo: " + UndoCheck.printable(
                                    String.valueOf(m.get("succeedsWith"))));
                        }
                        statuses.add(n.intValue());
                    }
                    succeeds = Set.copyOf(statuses);
                }
                Optional<java.time.Duration> bound = Optional.empty();
                if (m.get("boundSeconds") != null) {
                    long seconds = positive(m, "boundSeconds");
                    if (seconds > 3600) {
                        throw new IllegalArgumentException("the bound of an undo: " + seconds + " s");
                    }
                    bound = Optional.of(java.time.Duration.ofSeconds(seconds));
                }
                return new Command.Exec(strings(m.get("argv")), succeeds, bound);
            }
            case "remove-labelled":
                return new Command.RemoveLabelled(String.valueOf(Json.string(m, "label")),
                        String.valueOf(Json.string(m, "value")));
            default:
                throw new IllegalArgumentException("an undo of type \"" + UndoCheck.printable(type)
                        + "\", which pipework never plans");
        }
    }

    private static <T> T fail(String what) {
        throw new IllegalArgumentException(UndoCheck.printable(what));
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        for (Object v : Json.array(value)) {
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("expected strings, found " + v);
            }
            out.add(s);
        }
        return out;
    }

    private static long positive(Map<String, Object> o, String key) {
        long n = Json.number(o, key);
        if (n <= 0) {
            throw new IllegalArgumentException("\"" + key + "\" is " + n);
        }
        return n;
    }

    private static long bounded(Map<String, Object> o, String key, int max) {
        long n = Json.number(o, key);
        if (n < 0 || n > max) {
            throw new IllegalArgumentException("\"" + key + "\" is " + n + ", outside 0 to " + max);
        }
        return n;
    }

    /** Each step's undo, as the journal keeps it. */
    static List<Undo> undos(List<Step> steps) {
        List<JournalEntry.Undo> undos = new ArrayList<>(steps.size());
        for (Step step : steps) {
            undos.add(new Undo(step.action(), step.undo(), step.undoHarmlessIfNotRun()));
        }
        return undos;
    }
}
