package dev.pipework.exec;

import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.model.MacAddress;
import dev.pipework.model.MacvlanMode;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Vlan;
import dev.pipework.plan.AddressSteps;
import dev.pipework.plan.Command;
import dev.pipework.plan.DhcpKeeping;
import dev.pipework.plan.UdhcpcHook;
import dev.pipework.plan.DhcpSteps;
import dev.pipework.plan.LinkSteps;
import dev.pipework.plan.OvsSteps;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Step;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.Where;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal of runs in flight: its entries written, read back, judged, and run by a recovery. */
class JournalTest {
    static final JournalEntry.Owner SELF = Journal.self();
    static final String PINNED = "/proc/" + SELF.pid() + "/fd/11";
    static final String HOST_NS = "/proc/" + SELF.pid() + "/ns/net";
    static final Where GUEST = Where.guest(PINNED);
    static final Optional<JournalEntry.GuestNetns> NETNS =
            Optional.of(new JournalEntry.GuestNetns("/proc/4242/ns/net", 4026532999L, PINNED));

    @TempDir
    Path dir;

    /** One step of every kind the planner gives an undo. */
    static List<Step> everyUndo() {
        return List.of(
                new OvsSteps.AddOvsBridge("ovs0", true),
                new LinkSteps.AddLinuxBridge("br0"),
                new LinkSteps.AddVlanLink("eth0", "eth0.100", 1500, 100),
                new LinkSteps.AddMacvlan("eth0", "ph4242eth1", 1500, MacvlanMode.BRIDGE),
                new LinkSteps.AddDummy("du4242eth1", Optional.empty()),
                new LinkSteps.AddChildLink("ib0", "ib0.8001", Optional.empty(), "ipoib", List.of(), "IPoIB child"),
                new LinkSteps.AddVethPair("veth1pl42", "veth1pg42", 1500),
                new OvsSteps.AddOvsPort("ovs0", "veth1pl42", Optional.of(new Vlan(100)), Map.of("pipework.nspid", "42")),
                // An attach's: it does not wait for the switch, nor does its undo.
                new OvsSteps.AddOvsPort("ovs0", "veth2pl42", Optional.empty(), Map.of("pipework.nspid", "42"), false),
                new LinkSteps.SetAlias(Where.HOST, "eth2", "pipework direct", Optional.of("uplink to rack 3")),
                new LinkSteps.SetLinkUp(GUEST, "eth1", true),
                new LinkSteps.SetLinkDown(Where.HOST, "eth2"),
                new LinkSteps.MoveToNetns("eth2", PINNED, "container \"c\"", Optional.of(HOST_NS)),
                new LinkSteps.MoveNewLinkToNetns("ph4242eth1", PINNED, "container \"c\""),
                new LinkSteps.MovePhyToNetns("phy0", "wlan0", 4242, PINNED, "container \"c\"", SELF.pid()),
                new LinkSteps.RenameLink(GUEST, "ph4242eth1", "eth1", true),
                new LinkSteps.SetMacAddress(GUEST, "eth1", MacAddress.parse("02:00:00:00:00:01"),
                        Optional.of("02:00:00:00:00:02")),
                new LinkSteps.RecordDirect("/run/pipework/direct/4026532999-eth2", "x", "eth2"),
                new AddressSteps.ReplaceDefaultRoute(GUEST, Family.INET, IpAddress.parse("10.0.0.1"), "eth1",
                        Optional.of(new DefaultRoute(Optional.of("172.17.0.1"), "eth0"))),
                new AddressSteps.ReplaceDefaultRoute(GUEST, Family.INET6, IpAddress.parse("fd00::1"), "eth1",
                        Optional.empty()),
                new DhcpSteps.MakeDirectory("/etc/netns/pipework-4242", true),
                new DhcpSteps.CreateFile("/var/run/netns/pipework-4242"),
                new DhcpSteps.CreateFile("/etc/netns/pipework-4242/resolv.conf"),
                new DhcpSteps.BindMount(PINNED, "/var/run/netns/pipework-4242"),
                new DhcpSteps.HelperDhcpClient("3f4e2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f", "c",
                        "eth1", List.of("-f"), "10a2-5eed"),
                new DhcpSteps.WriteKeeperFile(KEPT.recordFile(), "{}", "the keeper's record"),
                new DhcpSteps.ClearPidFile(KEPT.pidFile()),
                new DhcpSteps.KeptDhcpClient("pipework-4242", KEPT, false),
                new dev.pipework.plan.KeeperFileSteps.WriteStaged(DhcpKeeping.HOOK + ".new-42", "#!java @args\n", DhcpKeeping.HOOK + ".new-42", "#!java @args\n"),
                new dev.pipework.plan.KeeperFileSteps.WriteStaged(UdhcpcHook.argumentsFile("x\n") + ".new-42", "x\n", UdhcpcHook.argumentsFile("x\n") + ".new-42", "x\n"));
    }

    static final DhcpKeeping.Kept KEPT = new DhcpKeeping.Kept("0123456789abcdef-eth1-v4", "dhclient", 4, "eth1", "web",
            List.of(), "/proc/4242/ns/net", 4026532999L, 60);

    /** Every undo the planner makes passes the check an entry read back gets, so a killed run of any kind is undone. */
    @Test
    void everyUndoThePlannerMakesIsOneTheCheckAccepts() {
        JournalEntry entry = entryOf(everyUndo(), 0, 0);
        for (JournalEntry.Undo u : entry.steps()) {
            UndoCheck.check(u.command().orElseThrow(), entry);
        }
    }

    /** Undos an earlier version wrote (a kept client by its pid file, the hook staged under one name), read after an upgrade. */
    @Test
    void undosWrittenBeforeTheUpgradeAreStillAccepted() {
        JournalEntry entry = entryOf(everyUndo(), 0, 0);
        UndoCheck.check(dev.pipework.plan.Command.Exec.of("pkill", "-F", KEPT.pidFile()), entry);
        UndoCheck.check(dev.pipework.plan.Command.Exec.of("rm", "-f", DhcpKeeping.HOOK + ".new"), entry);
        UndoCheck.check(dev.pipework.plan.Command.Exec.of("rm", "-f", DhcpKeeping.HOOK + ".args.new"), entry);
        // A DHCP helper removed by the guest's label, before it had a label of its run's own.
        UndoCheck.check(new Command.RemoveLabelled(DhcpSteps.HelperDhcpClient.LABEL_GUEST,
                "3f4e2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"), entry);
    }

    /** A DHCP helper's undo removes it by the tag it is started with, and by nothing else. */
    @Test
    void aHelpersUndoRemovesItByTheTagItIsStartedWith() {
        DhcpSteps.HelperDhcpClient helper = new DhcpSteps.HelperDhcpClient(
                "3f4e2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f", "c", "eth1", List.of(), "10a2-5eed");
        Map<?, ?> labels = (Map<?, ?>) ((Command.StartContainer) helper.command()).createBody().get("Labels");
        Command.RemoveLabelled undo = (Command.RemoveLabelled) helper.undo().orElseThrow();
        assertEquals(DhcpSteps.HelperDhcpClient.LABEL_RUN, undo.label());
        assertEquals("10a2-5eed", labels.get(undo.label()));
        assertEquals("10a2-5eed", undo.value());
    }

    /** A removal of containers by another label, or by a run's label of another shape, is refused. */
    @Test
    void aRemovalOfContainersByAnotherLabelIsRefused() {
        JournalEntry entry = entryOf(everyUndo(), 0, 0);
        for (Command.RemoveLabelled r : List.of(new Command.RemoveLabelled("com.example.app", "web"),
                new Command.RemoveLabelled(DhcpSteps.HelperDhcpClient.LABEL_RUN, "web"),
                new Command.RemoveLabelled(DhcpSteps.HelperDhcpClient.LABEL_RUN, ""),
                new Command.RemoveLabelled(DhcpSteps.HelperDhcpClient.LABEL_GUEST, "10a2-5eed"))) {
            assertThrows(RuntimeException.class, () -> UndoCheck.check(r, entry), r.toString());
        }
    }

    static JournalEntry entryOf(List<Step> steps, int done, int begun) {
        List<JournalEntry.Undo> undos = new ArrayList<>();
        for (Step s : steps) {
            undos.add(new JournalEntry.Undo(s.action(), s.undo(), true));
        }
        return new JournalEntry(SELF, List.of("link-ovs0", "netns-4026532999"), NETNS, undos, done, begun);
    }

    /** Synced to the disk only where an undo acts on what a reboot leaves: not the kernel's links, addresses and routes. */
    @Test
    void anEntryIsDurableWhereAnUndoOutlivesAReboot() {
        assertFalse(entryOf(List.of(new LinkSteps.AddVethPair("veth1pl42", "veth1pg42", 1500),
                new LinkSteps.SetLinkUp(GUEST, "eth1", true), new LinkSteps.AddLinuxBridge("br0"),
                new LinkSteps.MoveToNetns("veth1pg42", PINNED, "container \"c\"", Optional.of(HOST_NS))), 0, 0)
                .undoesWhatOutlivesReboot());
        assertTrue(entryOf(List.of(new LinkSteps.AddVethPair("veth1pl42", "veth1pg42", 1500),
                new OvsSteps.AddOvsPort("ovs0", "veth1pl42", Optional.empty(), Map.of())), 0, 0)
                .undoesWhatOutlivesReboot(), "an Open vSwitch port's record outlives a reboot");
        for (Step step : everyUndo()) {
            assertEquals(OUTLIVE_REBOOT.contains(step.getClass()), entryOf(List.of(step), 0, 0).undoesWhatOutlivesReboot(),
                    step.action());
        }
    }

    /**
     * The steps whose undo acts on what outlives a reboot: an Open vSwitch record, a file, a container.
     * The others' act on links, addresses, routes, a wireless NIC's namespace, a mount, a DHCP client.
     */
    static final java.util.Set<Class<?>> OUTLIVE_REBOOT = java.util.Set.of(OvsSteps.AddOvsBridge.class,
            DhcpSteps.HelperDhcpClient.class, DhcpSteps.ClearPidFile.class,
            OvsSteps.AddOvsPort.class, LinkSteps.RecordDirect.class, DhcpSteps.MakeDirectory.class,
            DhcpSteps.CreateFile.class, DhcpSteps.WriteKeeperFile.class, dev.pipework.plan.KeeperFileSteps.WriteStaged.class);

    /**
     * An entry of an earlier boot is not its owner's, even where this boot gave a process the same
     * PID and start time; a later boot undoes only what outlives a reboot, and no guest.
     */
    @Test
    void anEntryOfAnEarlierBootIsUndoneOnlyWhereItOutlivesTheReboot() {
        assertTrue(dev.pipework.exec.BootId.PATTERN.matcher(SELF.boot()).matches(), "this boot's id: " + SELF.boot());
        String another = SELF.boot().startsWith("0") ? "1" + SELF.boot().substring(1) : "0" + SELF.boot().substring(1);
        Journal earlier = new Journal(dir.resolve("journal"), Journal.INITIAL_NETNS, another);
        Journal.Written written = earlier.begin(entryOf(everyUndo(), 3, 5));
        Journal.Found seenLater = earlier.list().get(0);
        assertFalse(seenLater.ownerAlive(), "the same PID and start time in another boot");
        assertTrue(seenLater.earlierBoot());
        Journal.Found seenNow = new Journal(dir.resolve("journal")).list().get(0);
        assertTrue(seenNow.ownerAlive());
        assertFalse(seenNow.earlierBoot());
        Journal.Found unknownBoot = new Journal(dir.resolve("journal"), Journal.INITIAL_NETNS, "").list().get(0);
        assertTrue(unknownBoot.ownerAlive(), "a boot that cannot be read is taken to be the same");
        written.end();

        JournalEntry entry = entryOf(everyUndo(), 3, 5);
        JournalEntry after = entry.afterReboot();
        assertEquals(Optional.empty(), after.guest());
        assertEquals(entry.owner(), after.owner());
        assertEquals(List.of(3, 5, entry.steps().size()), List.of(after.done(), after.begun(), after.steps().size()));
        List<Step> steps = everyUndo();
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(OUTLIVE_REBOOT.contains(steps.get(i).getClass()) ? entry.steps().get(i).command() : Optional.empty(),
                    after.steps().get(i).command(), steps.get(i).action());
        }
        assertTrue(JournalEntry.outlivesReboot(new Command.RemoveLabelled("pipework.keeper", "web")), "a container");
    }

    /** The boot is written when known, read back, refused when not a boot id; an entry without one is of an unknown boot. */
    @Test
    void theOwnersBootIsWrittenAndReadBack() {
        JournalEntry entry = entryOf(everyUndo(), 0, 0);
        assertTrue(entry.toJson().contains(",\"boot\":\"" + SELF.boot() + "\","), entry.toJson());
        assertEquals(SELF.boot(), JournalEntry.parse(entry.toJson()).owner().boot());
        String without = entry.toJson().replace(",\"boot\":\"" + SELF.boot() + "\"", "");
        assertEquals("", JournalEntry.parse(without).owner().boot());
        for (String bad : List.of("x", SELF.boot().replace('-', 'a'), SELF.boot() + "\\n", "")) {
            String text = entry.toJson().replace(SELF.boot(), bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JournalEntry.parse(text), bad);
            assertTrue(e.getMessage().contains("boot"), e.getMessage());
        }
    }

    @Test
    void everyUndoThePlannerMakesIsWrittenAndReadBack() {
        List<Step> steps = everyUndo();
        assertTrue(steps.stream().allMatch(s -> s.undo().isPresent()), "a step without an undo in the list");
        JournalEntry entry = entryOf(steps, 3, 5);
        assertEquals(entry, JournalEntry.parse(entry.toJson()));
    }

    @Test
    void anEntryIsWrittenPrivateUpdatedAndRemoved() throws IOException {
        Journal journal = new Journal(dir.resolve("journal"));
        Journal.Written written = journal.begin(entryOf(everyUndo(), 0, 0));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.dir())));
        List<Journal.Found> found = journal.list();
        assertEquals(1, found.size());
        Path file = journal.dir().resolve(found.get(0).name());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(found.get(0).ownerAlive(), "this process is the owner");
        written.progress(2, 4);
        JournalEntry read = journal.list().get(0).entry().orElseThrow();
        assertEquals(2, read.done());
        assertEquals(4, read.begun());
        written.end();
        assertEquals(List.of(), journal.list());
        try (Stream<Path> left = Files.list(journal.dir())) {
            assertEquals(0, left.count(), "a temporary file left");
        }
    }

    /** An entry of version 1 (before entries named their namespace) is one of the host's namespace. */
    @Test
    void aVersion1EntryIsTakenToBeOfTheInitialNamespace() {
        JournalEntry entry = entryOf(everyUndo(), 3, 5);
        String v1 = version1(entry.toJson());
        JournalEntry read = JournalEntry.parse(v1, () -> 42);
        assertEquals(new JournalEntry(new JournalEntry.Owner(SELF.pid(), SELF.startTime(), 42), entry.locks(),
                entry.guest(), entry.steps(), 3, 5), read);
        // Without the host's namespace to take, it is refused, as is a version 1 that names one.
        assertThrows(IllegalArgumentException.class, () -> JournalEntry.parse(v1));
        assertThrows(IllegalArgumentException.class, () -> JournalEntry.parse(
                entry.toJson().replace("\"version\":2", "\"version\":1"), () -> 42));
    }

    /** The text an entry of version 1 had: this version's without {@code netns}. */
    static String version1(String json) {
        String v1 = json.replace("\"version\":2", "\"version\":1").replaceFirst(",\"netns\":[0-9]+", "")
                .replaceFirst(",\"boot\":\"[0-9a-f-]+\"", "");
        assertTrue(v1.startsWith("{\"version\":1,") && !v1.contains("\"netns\":"), v1);
        return v1;
    }

    /**
     * Only a power cut leaves an entry empty (one not synced, whose undos were all ip commands):
     * of a run that is gone, it is nothing recorded and goes, as does a half-written temporary file;
     * of a run still there, it is corrupt and kept.
     */
    @Test
    void anEmptyEntryOrATemporaryFileOfARunThatIsGoneIsRemoved() throws IOException {
        Journal journal = new Journal(dir.resolve("journal"));
        journal.begin(entryOf(everyUndo(), 0, 0)).end();
        String gone = "4194999-77-1.json";
        String mine = SELF.pid() + "-" + SELF.startTime() + "-999.json";
        for (String name : List.of(gone, mine, "." + gone + ".tmp", "." + mine + ".tmp")) {
            Path file = journal.dir().resolve(name);
            Files.writeString(file, "");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        List<Journal.Found> found = journal.list();
        assertEquals(List.of(mine), found.stream().map(Journal.Found::name).toList());
        assertTrue(found.get(0).problem().orElseThrow().startsWith("corrupt"), found.get(0).problem().toString());
        assertFalse(Files.exists(journal.dir().resolve(gone)));
        assertFalse(Files.exists(journal.dir().resolve("." + gone + ".tmp")));
        assertTrue(Files.exists(journal.dir().resolve("." + mine + ".tmp")), "a run still there may be writing it");
    }

    @Test
    void aCorruptEntryIsReportedAndKept() throws IOException {
        Journal journal = new Journal(dir.resolve("journal"));
        journal.begin(entryOf(everyUndo(), 0, 0)).end();
        Path file = journal.dir().resolve("1-2-3.json");
        Files.writeString(file, "{\"version\":1,\"pid\":1,");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Journal.Found found = journal.list().get(0);
        assertTrue(found.entry().isEmpty());
        assertTrue(found.problem().orElseThrow().startsWith("corrupt"), found.problem().toString());
        assertTrue(Files.exists(file));
    }

    @Test
    void anEntryOpenToOthersOrALinkIsNotBelieved() throws IOException {
        Journal journal = new Journal(dir.resolve("journal"));
        journal.begin(entryOf(everyUndo(), 0, 0));
        Path file = journal.dir().resolve(journal.list().get(0).name());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertTrue(journal.list().get(0).problem().orElseThrow().contains("open to other users"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Path link = journal.dir().resolve("9-9-9.json");
        Files.createSymbolicLink(link, file);
        Journal.Found linked = journal.list().stream().filter(f -> f.name().equals("9-9-9.json")).findFirst().orElseThrow();
        assertEquals(Optional.of("not a regular file"), linked.problem());
    }

    @Test
    void aDirectoryOpenToOthersIsClosed() throws IOException {
        Path open = dir.resolve("journal");
        Files.createDirectory(open, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        new Journal(open).begin(entryOf(everyUndo(), 0, 0)).end();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(open)));
    }

    @Test
    void anEntryThatCannotBeWrittenStopsTheRunBeforeAnyChange() throws IOException {
        Path file = dir.resolve("not-a-directory");
        Files.writeString(file, "");
        RecordingRunner runner = new RecordingRunner();
        Executor executor = new Executor(runner, ContainerActions.NONE, Shutdown.process(),
                Optional.of(new Journal(file)));
        PipeworkException e = assertThrows(PipeworkException.class,
                () -> executor.execute(ExecutorTest.fullPlan(), List.of("link-ovs0"), Optional.empty()));
        assertTrue(e.getMessage().startsWith("cannot write the journal of this run"), e.getMessage());
        assertEquals(List.of(), runner.ran);
    }

    /** Owners told apart by start time: a PID reused by another process is not the owner. */
    @Test
    void theOwnerIsItsPidAndItsStartTime() {
        assertTrue(Journal.alive(SELF));
        assertFalse(Journal.alive(new JournalEntry.Owner(SELF.pid(), SELF.startTime() + 1, SELF.netns())), "a reused PID");
        assertFalse(Journal.alive(new JournalEntry.Owner(SELF.pid(), SELF.startTime() - 1, SELF.netns())), "a reused PID");
        assertFalse(Journal.alive(new JournalEntry.Owner(4_194_305L, 1, 1)), "above the kernel's highest PID");
    }

    @Test
    void startTimeIsField22CountedAfterTheNamesLastParenthesis() {
        String fields = " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20 21";
        assertEquals(987654L, Journal.startTimeOf("42 (a) b (c) d" + ")" + fields).getAsLong());
        assertEquals(987654L, Journal.startTimeOf("42 (java)" + fields).getAsLong());
        assertTrue(Journal.startTimeOf("42 (java) S 1 2").isEmpty());
        assertTrue(Journal.startTimeOf("garbage").isEmpty());
    }

    /** The executor's entry follows the run: written before the first change, gone after the last. */
    @Test
    void theExecutorMarksProgressAndRemovesTheEntry() throws IOException {
        Journal journal = new Journal(dir.resolve("journal"));
        List<String> seen = new ArrayList<>();
        RecordingRunner recording = new RecordingRunner();
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                JournalEntry e = journal.list().get(0).entry().orElseThrow();
                seen.add(e.done() + "/" + e.begun());
                return recording.run(argv);
            }

            public CommandResult run(List<String> argv, String stdin) {
                JournalEntry e = journal.list().get(0).entry().orElseThrow();
                seen.add(e.done() + "/" + e.begun());
                return recording.run(argv, stdin);
            }
        };
        List<Step> steps = new ArrayList<>(everyUndo());
        steps.removeIf(s -> s instanceof DhcpSteps.HelperDhcpClient);
        steps.add(new AddressSteps.AddAddress(GUEST, Family.INET, IpCidr.parse("10.0.0.2/24"), "eth1"));
        Plan plan = new Plan(steps, List.of(), List.of());
        new Executor(runner, ContainerActions.NONE, Shutdown.process(), Optional.of(journal))
                .execute(plan, List.of("link-ovs0"), NETNS);
        assertEquals(List.of(), journal.list());
        assertEquals("0/1", seen.get(0));
        assertTrue(seen.size() >= 3, seen.toString());
        for (int i = 1; i < seen.size(); i++) {
            int done = Integer.parseInt(seen.get(i).split("/")[0]);
            int before = Integer.parseInt(seen.get(i - 1).split("/")[1]);
            assertTrue(done >= before - 1 && done <= plan.steps().size(), seen.toString());
        }
    }

    /** A failed run is undone and its entry goes too. */
    @Test
    void aFailedRunLeavesNoEntry() {
        Journal journal = new Journal(dir.resolve("journal"));
        RecordingRunner runner = new RecordingRunner(3, 2);
        assertThrows(PipeworkException.class, () -> new Executor(runner, ContainerActions.NONE, Shutdown.process(),
                Optional.of(journal)).execute(ExecutorTest.fullPlan(), List.of(), Optional.empty()));
        assertEquals(List.of(), journal.list());
    }

    /**
     * A recovery runs the undo of the steps begun and not known done (when it acts where the step
     * did), then those of the done ones, last first; a guest it cannot reach is left out.
     */
    @Test
    void aRecoveryUndoesBegunThenDoneStepsLastFirst() {
        List<Step> steps = List.of(
                new LinkSteps.AddVethPair("veth1pl42", "veth1pg42", 1500),
                new OvsSteps.AddOvsPort("ovs0", "veth1pl42", Optional.empty(), Map.of()),
                new LinkSteps.SetAlias(Where.HOST, "veth1pl42", "pipework", Optional.of("old")),
                new LinkSteps.SetMacAddress(GUEST, "eth1", MacAddress.parse("02:00:00:00:00:01"),
                        Optional.of("02:00:00:00:00:02")));
        List<JournalEntry.Undo> undos = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            undos.add(new JournalEntry.Undo(steps.get(i).action(), steps.get(i).undo(), i != 2));
        }
        JournalEntry entry = new JournalEntry(SELF, List.of(), NETNS, undos, 1, 4);
        RecordingRunner runner = new RecordingRunner();
        new Executor(runner).undoRecorded(entry, c -> c, false);
        assertEquals(List.of(steps.get(1).undo().orElseThrow().argv(), steps.get(0).undo().orElseThrow().argv()),
                runner.ran);
        RecordingRunner reaching = new RecordingRunner();
        new Executor(reaching).undoRecorded(entry, c -> c, true);
        assertEquals(steps.get(3).undo().orElseThrow().argv(), reaching.ran.get(0));
        assertEquals(3, reaching.ran.size());
    }

    /**
     * The undos run for a step begun and not known done: those harmless where it never ran. Not a
     * move back out of a guest, nor a command in another namespace than the step's; the removal of an
     * Open vSwitch port that the step's own transaction begins with, of pipework's own files and
     * mounts, of a DHCP helper container by its run's own label, and the deletion in the guest of a
     * link the plan made and moved there (its name is pipework's own).
     */
    @Test
    void onlyAnUndoHarmlessWhereItsStepNeverRanIsRunForAStepBegun() {
        java.util.Set<Class<?>> harmless = java.util.Set.of(LinkSteps.AddLinuxBridge.class, LinkSteps.AddVlanLink.class,
                LinkSteps.AddMacvlan.class, LinkSteps.AddDummy.class, LinkSteps.AddChildLink.class,
                LinkSteps.AddVethPair.class, OvsSteps.AddOvsPort.class, LinkSteps.SetAlias.class, LinkSteps.SetLinkUp.class,
                LinkSteps.SetLinkDown.class, LinkSteps.MoveNewLinkToNetns.class, LinkSteps.RenameLink.class,
                LinkSteps.SetMacAddress.class, AddressSteps.ReplaceDefaultRoute.class, DhcpSteps.KeptDhcpClient.class,
                // pipework's own files, directories and mounts, removed
                LinkSteps.RecordDirect.class, DhcpSteps.MakeDirectory.class, DhcpSteps.CreateFile.class,
                DhcpSteps.BindMount.class, DhcpSteps.WriteKeeperFile.class, DhcpSteps.ClearPidFile.class,
                dev.pipework.plan.KeeperFileSteps.WriteStaged.class,
                // a container of the run's own label, removed
                DhcpSteps.HelperDhcpClient.class);
        for (Step step : everyUndo()) {
            assertEquals(harmless.contains(step.getClass()), step.undoHarmlessIfNotRun(), step.action());
        }
        // An ovs-vsctl undo that is not where the step's transaction begins.
        assertFalse(new OvsSteps.AddOvsBridge("ovs0", true).undoHarmlessIfNotRun());

        List<Step> steps = List.of(new LinkSteps.AddMacvlan("eth0", "ph4242eth1", 1500, MacvlanMode.BRIDGE),
                new LinkSteps.MoveNewLinkToNetns("ph4242eth1", PINNED, "container \"c\""));
        JournalEntry entry = new JournalEntry(SELF, List.of(), NETNS, JournalEntry.undos(steps), 1, 2);
        RecordingRunner runner = new RecordingRunner();
        new Executor(runner).undoRecorded(entry, c -> c, true);
        assertEquals(List.of(steps.get(1).undo().orElseThrow().argv(), steps.get(0).undo().orElseThrow().argv()),
                runner.ran);
        assertEquals(List.of("link", "del", "dev", "ph4242eth1"),
                ((Command.Ip) steps.get(1).undo().orElseThrow()).words());
        assertEquals(PINNED, ((Command.Ip) steps.get(1).undo().orElseThrow()).where().netnsPath());
    }

    /** A link a recovery deletes that the kernel took already is no failure; any other failure is reported. */
    @Test
    void aRecoveryReportsFailuresButNotALinkAlreadyGone() {
        List<Step> steps = List.of(new LinkSteps.AddVethPair("veth1pl42", "veth1pg42", 1500),
                new OvsSteps.AddOvsPort("ovs0", "veth1pl42", Optional.empty(), Map.of()));
        List<JournalEntry.Undo> undos = steps.stream()
                .map(st -> new JournalEntry.Undo(st.action(), st.undo(), true)).toList();
        CommandRunner failing = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                return new CommandResult(1, "", argv.get(0).equals("ip") ? "Cannot find device \"veth1pl42\"\n"
                        : "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed\n");
            }

            public CommandResult run(List<String> argv, String stdin) {
                return run(argv);
            }
        };
        List<String> failures = new Executor(failing).undoRecorded(new JournalEntry(SELF, List.of(), Optional.empty(),
                undos, 2, 2), c -> c, true);
        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("database connection failed"), failures.get(0));
    }

    /** What a hostile writer of the directory could ask root to run: each refused, the entry whole. */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{\"type\":\"exec\",\"argv\":[\"rm\",\"-rf\",\"/\"]}",
            "{\"type\":\"exec\",\"argv\":[\"rm\",\"-f\",\"/etc/shadow\"]}",
            "{\"type\":\"exec\",\"argv\":[\"rm\",\"-f\",\"/run/pipework/direct/../../../etc/shadow\"]}",
            "{\"type\":\"exec\",\"argv\":[\"rm\",\"-rf\",\"/etc/netns/pipework-1/../..\"]}",
            "{\"type\":\"exec\",\"argv\":[\"umount\",\"/proc\"]}",
            "{\"type\":\"exec\",\"argv\":[\"pkill\",\"-F\",\"/run/sshd.pid\"]}",
            "{\"type\":\"exec\",\"argv\":[\"pkill\",\"-x\",\"-f\",\".*\"]}",
            "{\"type\":\"exec\",\"argv\":[\"pkill\",\"-x\",\"-f\",\"([^ ]*/)?sshd (.* )?-pf /var/lib/pipework/dhcp/0123456789abcdef-eth1-v4\\\\.pid( .*)?\"]}",
            "{\"type\":\"exec\",\"argv\":[\"pkill\",\"-x\",\"-f\",\"([^ ]*/)?dhclient (.* )?-pf /var/lib/pipework/dhcp/0123456789abcdef-eth1-v4.pid( .*)?|.*\"]}",
            "{\"type\":\"exec\",\"argv\":[\"pkill\",\"-x\",\"-f\",\"([^ ]*/)?dhclient (.* )?-pf /var/lib/pipework/dhcp/0123456789abcdef-eth1-v4.record( .*)?\"]}",
            "{\"type\":\"exec\",\"argv\":[\"pkill\",\"-F\",\"/var/lib/pipework/dhcp/0123456789abcdef-eth1-v4.record\"]}",
            "{\"type\":\"exec\",\"argv\":[\"rm\",\"-f\",\"/var/lib/pipework/dhcp/../../../etc/shadow-v4.pid\"]}",
            "{\"type\":\"exec\",\"argv\":[\"sh\",\"-c\",\"id\"]}",
            "{\"type\":\"exec\",\"argv\":[\"ovs-vsctl\",\"--timeout=30\",\"--if-exists\",\"del-br\",\"br0 -- set\"]}",
            "{\"type\":\"exec\",\"argv\":[\"ovs-vsctl\",\"--timeout=30\",\"--if-exists\",\"emer-reset\"]}",
            "{\"type\":\"exec\",\"argv\":[\"nsenter\",\"--net=/proc/1/ns/net\",\"iw\",\"phy\",\"phy0\",\"set\",\"netns\",\"1\"]}",
            "{\"type\":\"ip\",\"where\":\"\",\"words\":[\"link\",\"set\",\"dev\",\"eth0\",\"netns\",\"/proc/1/ns/net\"]}",
            "{\"type\":\"ip\",\"where\":\"\",\"words\":[\"link\",\"set\",\"dev\",\"eth0\",\"down\",\"up\"]}",
            "{\"type\":\"ip\",\"where\":\"\",\"words\":[\"route\",\"flush\",\"table\",\"main\"]}",
            "{\"type\":\"ip\",\"where\":\"\",\"words\":[\"link\",\"del\",\"dev\",\"a/b\"]}",
            "{\"type\":\"ip\",\"where\":\"\",\"words\":[\"addr\",\"flush\",\"dev\",\"eth0\"]}",
            "{\"type\":\"ip\",\"where\":\"/proc/1/ns/net\",\"words\":[\"link\",\"del\",\"dev\",\"eth0\"]}",
            "{\"type\":\"ip\",\"where\":\"\",\"family\":\"BOGUS\",\"words\":[\"route\",\"del\",\"default\"]}",
            "{\"type\":\"remove-labelled\",\"label\":\"com.docker.compose.project\",\"value\":\"web\"}",
            "{\"type\":\"detached\",\"argv\":[\"sh\"]}",
            "{\"type\":\"write-file\",\"path\":\"/etc/passwd\"}"})
    void undosPipeworkNeverPlansAreRefused(String undo) {
        String json = "{\"version\":2,\"pid\":" + SELF.pid() + ",\"start\":" + SELF.startTime() + ",\"netns\":1"
                + ",\"locks\":[],\"steps\":[{\"action\":\"x\",\"undo\":" + undo + ",\"sameNamespace\":true}],"
                + "\"done\":1,\"begun\":1}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JournalEntry.parse(json));
        assertFalse(e.getMessage().isBlank());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{\"version\":1,\"pid\":1,\"start\":1,\"netns\":1,\"locks\":[],\"steps\":[],\"done\":0,\"begun\":0}",
            "{\"version\":2,\"pid\":1,\"start\":1,\"locks\":[],\"steps\":[],\"done\":0,\"begun\":0}",
            "{\"version\":2,\"pid\":1,\"start\":1,\"netns\":0,\"locks\":[],\"steps\":[],\"done\":0,\"begun\":0}",
            "{\"version\":2,\"netns\":1,\"pid\":0,\"start\":1,\"locks\":[],\"steps\":[],\"done\":0,\"begun\":0}",
            "{\"version\":2,\"pid\":1,\"start\":1,\"netns\":1,\"locks\":[\"../../etc/passwd\"],\"steps\":[],\"done\":0,\"begun\":0}",
            "{\"version\":2,\"pid\":1,\"start\":1,\"netns\":1,\"locks\":[],\"steps\":[],\"done\":1,\"begun\":1}",
            "{\"version\":2,\"pid\":1,\"start\":1,\"netns\":1,\"locks\":[],\"steps\":[],\"done\":0,\"begun\":-1}",
            "{\"version\":2,\"pid\":1,\"start\":1,\"netns\":1,\"locks\":[],\"guest\":{\"path\":\"/proc/9/ns/net\",\"inode\":5,"
                    + "\"pinned\":\"/etc/shadow\"},\"steps\":[],\"done\":0,\"begun\":0}",
            "{\"version\":2,\"pid\":1,\"start\":1,\"netns\":1,\"locks\":[],\"guest\":{\"path\":\"../x\",\"inode\":5,"
                    + "\"pinned\":\"/proc/1/fd/3\"},\"steps\":[],\"done\":0,\"begun\":0}",
            "[]", "", "null"})
    void malformedEntriesAreRefused(String json) {
        assertThrows(IllegalArgumentException.class, () -> JournalEntry.parse(json));
    }

    @Test
    void anUndoOfAnotherKindIsRecordedSoThatItIsRefusedWhenRead() {
        JournalEntry entry = new JournalEntry(SELF, List.of(), Optional.empty(), List.of(new JournalEntry.Undo("x",
                Optional.of(new Command.Detached(List.of("sh"))), true)), 0, 0);
        assertThrows(IllegalArgumentException.class, () -> JournalEntry.parse(entry.toJson()));
    }
}
