package dev.pipework.it;

import dev.pipework.exec.Journal;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.KillAt;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random interleavings of attach, {@code del} and SIGKILL on 3 guests (named namespaces) and 2
 * bridges (a Linux bridge, and Open vSwitch with a VLAN), then one {@code pipework status}: the
 * kernel and the switch hold what the runs that survived leave, and nothing else.
 *
 * <p>A slot is one guest on one bridge (its own interface and address). Each operation attaches an
 * empty slot or removes a held one, and is SIGKILLed at a random change (the counting {@code ip} and
 * {@code ovs-vsctl} of {@link KillAt}, which also count the undos of a recovery the run does first)
 * or not. The model: a run that exits 0 did its work; a killed attach counts as not run (its entry
 * stays for a recovery to undo) unless its entry is gone, then it finished; a killed {@code del}
 * (no journal: its steps have no undo) leaves its slot undecided until a later {@code del} of it
 * finishes it; a run killed while it was still undoing an earlier run's entry did nothing of its
 * own. After each run that exits 0 the machine is compared with the model; at the end, after one
 * {@code status}, again, with {@code status --json}'s attachments and the journal (empty).
 *
 * <p>The seed is {@code -Dpipework.it.seed} (else the clock), printed with how to run it again; the
 * number of operations {@code -Dpipework.it.propertyOps} (default 12).
 */
class KillPropertyIT {
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final int VLAN = 103;
    private static final int DEFAULT_OPS = 12;
    private static final double KILLED = 0.45;

    @TempDir
    Path tmp;

    @Test
    void randomAttachDelAndKillThenOneRecoveryLeaveWhatTheSurvivingRunsLeave() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        long seed = Long.getLong("pipework.it.seed", System.currentTimeMillis());
        int ops = Integer.getInteger("pipework.it.propertyOps", DEFAULT_OPS);
        String rerun = "mvn -o verify -Dit.test=KillPropertyIT -Dpipework.it.seed=" + seed + " -Dpipework.it.propertyOps="
                + ops + " -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false";
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            String suffix = HostCleanup.uniqueSuffix();
            List<String> bridges = List.of(host.createBridge("pwpl" + suffix), host.createOvsBridge("pwpo" + suffix));
            List<String> guests = List.of(netns.create("p0"), netns.create("p1"), netns.create("p2"));
            Property property = new Property(new Random(seed), bridges, guests, KillAt.in(tmp.resolve("bin")),
                    tmp.resolve("journal"));
            Pipework.command(List.of());
            System.out.println("KillPropertyIT: seed " + seed + ", " + ops + " operations");
            long start = System.nanoTime();
            try {
                property.run(ops);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("KillPropertyIT: seed " + seed + " failed; run it again with: " + rerun
                        + "\noperations:\n" + String.join("\n", property.log) + "\n" + e.getMessage(), e);
            }
            System.out.println("KillPropertyIT: seed " + seed + ": " + property.summary() + ", in "
                    + Duration.ofNanos(System.nanoTime() - start).toMillis() / 1000.0 + " s; again: " + rerun + "\n  "
                    + String.join("\n  ", property.log));
        }
    }

    /** One guest on one bridge: bridge 0 (Linux) takes eth1, bridge 1 (Open vSwitch, VLAN) eth2. */
    private record Slot(int guest, int bridge) {
        String ifname() {
            return bridge == 0 ? "eth1" : "eth2";
        }

        String address() {
            return "10.79." + (40 + bridge) + "." + (guest + 2) + "/24";
        }
    }

    private enum Held { EMPTY, ATTACHED, UNDECIDED }

    /** A slot as the machine shows it: the host end of its veth, and the rest as text. */
    private record Seen(String hostEnd, String text) {
    }

    private static final class Property {
        final Random random;
        final List<String> bridges;
        final List<String> guests;
        final KillAt kill;
        final Path journal;
        final List<String> log = new ArrayList<>();
        final Map<Slot, Held> held = new TreeMap<>((a, b) -> a.guest != b.guest ? a.guest - b.guest : a.bridge - b.bridge);
        /** What each slot showed once attached: what it must show while the model holds it. */
        final Map<Slot, Seen> attached = new HashMap<>();
        /** The most changes a run of each kind made (none undone first): where a kill may fall. */
        final Map<String, Integer> changes = new HashMap<>(Map.of("attach0", 6, "attach1", 6, "del0", 1, "del1", 2));
        int runs;
        int killed;
        int killedInRecovery;
        int halfPlumbed;
        int finishingDels;
        int recoveredAtEnd;
        int readings;
        long readingNanos;

        Property(Random random, List<String> bridges, List<String> guests, KillAt kill, Path journal) {
            this.random = random;
            this.bridges = bridges;
            this.guests = guests;
            this.kill = kill;
            this.journal = journal;
            for (int g = 0; g < guests.size(); g++) {
                for (int b = 0; b < bridges.size(); b++) {
                    held.put(new Slot(g, b), Held.EMPTY);
                }
            }
        }

        String summary() {
            return runs + " runs (" + killed + " killed at a random change: " + killedInRecovery
                    + " while undoing an earlier killed run, " + halfPlumbed + " leaving the host half-plumbed; "
                    + finishingDels + " del to finish a killed del), then one status that undid " + recoveredAtEnd
                    + " killed runs; " + readings + " readings of the machine in " + readingNanos / 1_000_000 + " ms";
        }

        void run(int ops) throws Exception {
            for (int i = 0; i < ops; i++) {
                List<Slot> slots = new ArrayList<>(held.keySet());
                Slot slot = slots.get(random.nextInt(slots.size()));
                step(slot, random.nextDouble() < KILLED);
            }
            // A del killed midway is finished by a del (not by a recovery: its steps have no undo).
            for (Slot slot : List.copyOf(held.keySet())) {
                if (held.get(slot) == Held.UNDECIDED) {
                    finishingDels++;
                    step(slot, false);
                }
            }
            // The final status is to undo something: a killed attach if nothing is in the journal.
            if (KillAt.entries(journal).isEmpty()) {
                held.entrySet().stream().filter(e -> e.getValue() == Held.EMPTY).map(Map.Entry::getKey).findFirst()
                        .ifPresent(slot -> {
                            try {
                                step(slot, true);
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        });
            }
            Sh.Result status = Pipework.run(List.of("status", "--json"), RUN, Map.of(Journal.DIR_VARIABLE, journal.toString()));
            log.add("status --json: exit " + status.code() + "; " + status.err().strip().replace("\n", "; "));
            assertEquals(0, status.code(), status.describe());
            recoveredAtEnd = (int) status.err().lines().filter(l -> l.contains("undid a run killed midway")).count();
            assertEquals(List.of(), KillAt.entries(journal), "the journal after status");
            check("after the final status");
            assertEquals(expectedStatus(), statusOf(status.out()), "status --json's attachments of the guests");
        }

        /** One operation on a slot: attach when it is empty, else del; killed at a random change or not. */
        void step(Slot slot, boolean killIt) throws Exception {
            boolean attach = held.get(slot) == Held.EMPTY;
            String kind = (attach ? "attach" : "del") + slot.bridge;
            List<String> args = attach
                    ? new ArrayList<>(List.of(bridges.get(slot.bridge), "-i", slot.ifname(), guests.get(slot.guest),
                            slot.address()))
                    : List.of("del", guests.get(slot.guest), "-i", slot.ifname());
            if (attach && slot.bridge == 1) {
                args.add("@" + VLAN);
            }
            List<String> before = KillAt.entries(journal);
            int most = changes.get(kind);
            // With an earlier killed run in the journal, now and then at the first change: one of the
            // undos this run makes of it before its own steps.
            int k = !killIt ? 0 : !before.isEmpty() && random.nextInt(3) == 0 ? 1 : 1 + random.nextInt(most + 1);
            String variable = !killIt ? "" : k <= most ? "KILL_AT" : "KILL_AFTER";
            int at = !killIt ? 0 : Math.min(k, most);
            kill.reset();
            long start = System.nanoTime();
            Sh.Result r = Pipework.run(args, RUN, KillAt.with(kill.env(variable, at),
                    Map.of(Journal.DIR_VARIABLE, journal.toString())));
            runs++;
            String line = String.join(" ", args).replace(bridges.get(0), "<linux>").replace(bridges.get(1), "<ovs>")
                    + (killIt ? " (" + variable + "=" + at + ")" : "") + ": exit " + r.code() + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms";
            if (r.code() == 0) {
                if (!killIt && before.isEmpty()) {
                    changes.merge(kind, kill.count(), Math::max);
                }
                done(slot, attach);
                log.add(line);
                check("after: " + line);
                return;
            }
            if (r.code() != 137) {
                log.add(line + ": " + r.err().strip());
                throw new AssertionError("unexpected failure: " + line + "\n" + r.describe());
            }
            killed++;
            long pid = kill.killed().orElseThrow(() -> new AssertionError(line + ": nothing was killed"));
            List<String> left = KillAt.entries(journal);
            boolean inRecovery = before.stream().anyMatch(left::contains);
            String outcome;
            if (inRecovery) {
                killedInRecovery++;
                outcome = "killed while undoing an earlier run: not run";
            } else if (!attach) {
                held.put(slot, Held.UNDECIDED);
                outcome = "undecided until a del finishes it";
            } else if (!KillAt.entriesOf(journal, pid).isEmpty()) {
                outcome = "its entry left: to be undone";
            } else {
                done(slot, true);
                outcome = "its entry gone: finished";
            }
            log.add(line + ": " + outcome);
            if (!matches()) {
                halfPlumbed++;
            }
        }

        private void done(Slot slot, boolean attach) {
            if (attach) {
                Seen seen = seen(read(), slot);
                assertTrue(seen != null && seen.text().contains(" up inet " + slot.address() + " | host end ")
                        && seen.text().contains(" alias pipework up") && seen.text().contains(slot.bridge == 0
                                ? " master " + bridges.get(0) + " " : "| port of " + bridges.get(1) + " tag " + VLAN + " "),
                        "not plumbed whole: " + seen);
                attached.put(slot, seen);
                held.put(slot, Held.ATTACHED);
            } else {
                attached.remove(slot);
                held.put(slot, Held.EMPTY);
            }
        }

        void check(String when) {
            // A link deleted is gone from the kernel's lists a little later.
            if (!Poll.within(HostCleanup.GONE_WITHIN, Poll.TICK, this::matches)) {
                assertEquals(expected(), actual(read()), when);
            }
        }

        boolean matches() {
            return expected().equals(actual(read()));
        }

        /** The host ends of the slots in a state, of one bridge or both (-1). */
        Set<String> ends(Held state, int bridge) {
            Set<String> ends = new TreeSet<>();
            held.forEach((slot, h) -> {
                if (h == state && (bridge < 0 || slot.bridge == bridge) && attached.containsKey(slot)) {
                    ends.add(attached.get(slot).hostEnd());
                }
            });
            return ends;
        }

        String expected() {
            StringBuilder b = new StringBuilder();
            for (int g = 0; g < guests.size(); g++) {
                Set<String> links = new TreeSet<>();
                for (int br = 0; br < bridges.size(); br++) {
                    Slot slot = new Slot(g, br);
                    if (held.get(slot) == Held.ATTACHED) {
                        links.add(slot.ifname());
                    }
                }
                b.append("guest ").append(g).append(" links: ").append(links).append('\n');
            }
            held.forEach((slot, h) -> b.append(slot).append(": ").append(switch (h) {
                case EMPTY -> "absent";
                case ATTACHED -> attached.get(slot).text();
                case UNDECIDED -> "undecided";
            }).append('\n'));
            b.append("host ends of the guests: ").append(ends(Held.ATTACHED, -1)).append('\n');
            b.append("ports of the Linux bridge: ").append(ends(Held.ATTACHED, 0)).append('\n');
            b.append("ports of the switch: ").append(ends(Held.ATTACHED, 1)).append('\n');
            b.append("interfaces the switch records for it: ").append(ends(Held.ATTACHED, 1)).append('\n');
            return b.toString();
        }

        /** The machine as read, with what belongs to an undecided slot left out. */
        String actual(Reading m) {
            Set<String> undecided = ends(Held.UNDECIDED, -1);
            StringBuilder b = new StringBuilder();
            for (int g = 0; g < guests.size(); g++) {
                Set<String> links = new TreeSet<>(m.guestLinks.get(g).keySet());
                links.remove("lo");
                for (int br = 0; br < bridges.size(); br++) {
                    if (held.get(new Slot(g, br)) == Held.UNDECIDED) {
                        links.remove(new Slot(g, br).ifname());
                    }
                }
                b.append("guest ").append(g).append(" links: ").append(links).append('\n');
            }
            held.forEach((slot, h) -> {
                Seen seen = seen(m, slot);
                b.append(slot).append(": ").append(h == Held.UNDECIDED ? "undecided" : seen == null ? "absent"
                        : seen.text()).append('\n');
            });
            b.append("host ends of the guests: ").append(without(m.guestPeers, undecided)).append('\n');
            b.append("ports of the Linux bridge: ").append(without(m.linuxPorts, undecided)).append('\n');
            b.append("ports of the switch: ").append(without(m.switchPorts, undecided)).append('\n');
            b.append("interfaces the switch records for it: ").append(without(m.switchInterfaces, undecided)).append('\n');
            return b.toString();
        }

        private static Set<String> without(Set<String> all, Set<String> left) {
            Set<String> rest = new TreeSet<>(all);
            rest.removeAll(left);
            return rest;
        }

        /** The slot's guest link, its host end and the switch's records of it; null when the guest has no such link. */
        Seen seen(Reading m, Slot slot) {
            Map<String, Object> link = m.guestLinks.get(slot.guest).get(slot.ifname());
            if (link == null) {
                return null;
            }
            StringBuilder b = new StringBuilder();
            b.append(slot.ifname()).append(' ').append(Json.at(link, "linkinfo", "info_kind")).append(" mac ")
                    .append(link.get("address")).append(" mtu ").append(link.get("mtu")).append(up(link));
            for (Object a : Json.array(link.getOrDefault("addr_info", List.of()))) {
                Map<String, Object> addr = Json.object(a);
                if ("inet".equals(addr.get("family"))) {
                    b.append(" inet ").append(addr.get("local")).append('/').append(addr.get("prefixlen"));
                }
            }
            Object peer = link.get("link_index");
            Map<String, Object> end = peer == null ? null : m.hostByIndex.get(((Number) peer).intValue());
            if (end == null) {
                return new Seen("", b.append(" | no host end").toString());
            }
            String name = (String) end.get("ifname");
            b.append(" | host end ").append(name).append(" master ").append(end.getOrDefault("master", "-"))
                    .append(" alias ").append(end.getOrDefault("ifalias", "-")).append(up(end));
            String ovs = m.switchRecords.get(name);
            if (ovs != null) {
                b.append(" | ").append(ovs);
            }
            return new Seen(name, b.toString());
        }

        private static String up(Map<String, Object> link) {
            return Json.array(link.getOrDefault("flags", List.of())).contains("UP") ? " up" : " down";
        }

        Reading read() {
            long start = System.nanoTime();
            Reading reading = new Reading(guests, bridges);
            readings++;
            readingNanos += System.nanoTime() - start;
            return reading;
        }

        /** What status --json should show of the guests: one line per attachment held. */
        Set<String> expectedStatus() {
            Set<String> lines = new TreeSet<>();
            held.forEach((slot, h) -> {
                if (h == Held.ATTACHED) {
                    lines.add(guests.get(slot.guest) + " " + slot.ifname() + " [" + slot.address() + "] "
                            + attached.get(slot).hostEnd() + " " + bridges.get(slot.bridge) + " "
                            + (slot.bridge == 0 ? "linux null" : "ovs " + VLAN));
                }
            });
            return lines;
        }

        Set<String> statusOf(String json) {
            Set<String> lines = new TreeSet<>();
            for (Object a : Json.array(Json.at(Json.parse(json), "attachments"))) {
                if (guests.contains(String.valueOf(Json.at(a, "guest", "name")))) {
                    lines.add(Json.at(a, "guest", "name") + " " + Json.at(a, "interface", "name") + " "
                            + Json.array(Json.at(a, "interface", "addresses")) + " " + Json.at(a, "host", "interface")
                            + " " + Json.at(a, "host", "bridge") + " " + Json.at(a, "host", "kind") + " "
                            + Json.at(a, "host", "vlan"));
                }
            }
            return lines;
        }
    }

    /** One reading of the guests' links, the host's links, the bridges' ports and the switch's records. */
    private static final class Reading {
        final List<Map<String, Map<String, Object>>> guestLinks = new ArrayList<>();
        final Map<Integer, Map<String, Object>> hostByIndex = new HashMap<>();
        final Set<String> guestPeers = new TreeSet<>();
        final Set<String> linuxPorts = new TreeSet<>();
        final Set<String> switchPorts = new TreeSet<>();
        final Set<String> switchInterfaces = new TreeSet<>();
        final Map<String, String> switchRecords = new HashMap<>();

        Reading(List<String> guests, List<String> bridges) {
            for (String g : guests) {
                Map<String, Map<String, Object>> links = new TreeMap<>();
                for (Object o : Json.array(IpJson.ipNetns(g, "-d", "addr", "show"))) {
                    Map<String, Object> link = Json.object(o);
                    links.put((String) link.get("ifname"), link);
                }
                guestLinks.add(links);
            }
            Map<Long, String> nsids = new HashMap<>();
            for (Object o : Json.array(IpJson.ip(null, "netns", "list-id"))) {
                Map<String, Object> id = Json.object(o);
                if (id.get("name") != null) {
                    nsids.put(((Number) id.get("nsid")).longValue(), (String) id.get("name"));
                }
            }
            for (Map<String, Object> link : IpJson.links(null)) {
                hostByIndex.put(((Number) link.get("ifindex")).intValue(), link);
                Object nsid = link.get("link_netnsid");
                // Others' namespaces may have no name (null, which List.of's contains refuses).
                if (nsid instanceof Number n && guests.contains(nsids.getOrDefault(n.longValue(), ""))) {
                    guestPeers.add((String) link.get("ifname"));
                }
                if (bridges.get(0).equals(link.get("master"))) {
                    linuxPorts.add((String) link.get("ifname"));
                }
            }
            // Two calls: ovs-vsctl is slow to start on a busy machine.
            String ovs = bridges.get(1);
            switchPorts.addAll(vsctl("list-ports", ovs).lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
            List<String> tables = vsctl("--format=json", "--columns=name,tag", "list", "Port", "--",
                    "--columns=name,external_ids", "list", "Interface").lines().filter(l -> !l.isBlank()).toList();
            Map<String, String> tags = new HashMap<>();
            for (Object row : Json.array(Json.at(Json.parse(tables.get(0)), "data"))) {
                tags.put((String) Json.at(row, "0"), String.valueOf(Json.at(row, "1")));
            }
            for (Object row : Json.array(Json.at(Json.parse(tables.get(1)), "data"))) {
                String name = (String) Json.at(row, "0");
                Map<String, String> ids = new TreeMap<>();
                for (Object pair : Json.array(Json.at(row, "1", "1"))) {
                    ids.put((String) Json.at(pair, "0"), (String) Json.at(pair, "1"));
                }
                if (ovs.equals(ids.get("pipework.bridge"))) {
                    switchInterfaces.add(name);
                }
                if (switchPorts.contains(name)) {
                    switchRecords.put(name, "port of " + ovs + " tag " + tags.get(name) + " external-ids " + ids);
                }
            }
        }

        private static String vsctl(String... args) {
            List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--timeout=20"));
            argv.addAll(List.of(args));
            return Sh.run(argv, RUN).assertOk(String.join(" ", argv)).out();
        }
    }
}
