package dev.pipework.exec;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Vlan;
import dev.pipework.model.DefaultRoute;
import dev.pipework.plan.Command;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Step;
import dev.pipework.plan.AddressSteps;
import dev.pipework.plan.LinkSteps;
import dev.pipework.plan.OvsSteps;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.Where;
import dev.pipework.model.Family;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutorTest {
    static final Where GUEST = Where.guest("/proc/42/ns/net");

    /** An executor that enters guests by nsenter alone, whatever this machine's iproute2 directory holds. */
    static Executor nsenterOnly(CommandRunner runner) {
        return new Executor(runner, ContainerActions.NONE, Shutdown.process(), Optional.empty(),
                new IpBatch.ByName(() -> false));
    }

    /** An executor that enters guests by ip -n as {@code byName} lets it. */
    static Executor byName(CommandRunner runner, IpBatch.ByName byName) {
        return new Executor(runner, ContainerActions.NONE, Shutdown.process(), Optional.empty(), byName);
    }

    /** Counts every process; a batch by ip -n gets {@code answer}, every other command succeeds. */
    static CountingRunner answeringByName(CommandResult answer) {
        return new CountingRunner() {
            @Override
            public CommandResult run(List<String> argv, String stdin) {
                super.run(argv, stdin);
                return argv.contains("-n") ? answer : new CommandResult(0, "", "");
            }
        };
    }

    /** A plan with every kind of step that has an undo: a new OVS bridge, a veth, a port, a default route. */
    static Plan fullPlan() {
        return new Plan(List.of(
                new OvsSteps.AddOvsBridge("ovs0", true),
                new LinkSteps.AddVethPair("veth1pl42", "veth1pg42", 1500),
                new OvsSteps.AddOvsPort("ovs0", "veth1pl42", Optional.of(new Vlan(100)), Map.of("pipework.nspid", "42")),
                new LinkSteps.SetLinkUp(Where.HOST, "veth1pl42"),
                new LinkSteps.MoveToNetns("veth1pg42", "/proc/42/ns/net", "container \"c\""),
                new LinkSteps.RenameLink(GUEST, "veth1pg42", "eth1"),
                new AddressSteps.AddAddress(GUEST, Family.INET, IpCidr.parse("10.0.0.2/24"), "eth1"),
                new LinkSteps.SetLinkUp(GUEST, "eth1"),
                new AddressSteps.ReplaceDefaultRoute(GUEST, Family.INET, IpAddress.parse("10.0.0.1"), "eth1",
                        Optional.of(new DefaultRoute(Optional.of("172.17.0.1"), "eth0"))),
                new AddressSteps.Announce(GUEST, "eth1", "10.0.0.2")), List.of(), List.of());
    }

    /** The commands without family flags, which a batch carries once for all its lines. */
    static List<List<String>> withoutFamily(List<List<String>> commands) {
        List<List<String>> out = new ArrayList<>();
        for (List<String> c : commands) {
            List<String> copy = new ArrayList<>(c);
            copy.removeIf(w -> w.equals("-4") || w.equals("-6"));
            out.add(copy);
        }
        return out;
    }

    @Test
    void runsEveryStepInOrder() {
        RecordingRunner runner = new RecordingRunner();
        Plan plan = fullPlan();
        nsenterOnly(runner).execute(plan);
        List<List<String>> all = plan.steps().stream().map(Step::argv).toList();
        assertEquals(withoutFamily(all), withoutFamily(runner.ran));
    }

    /**
     * A port's change goes to Open vSwitch's database where that takes it (no program runs for it);
     * where the database cannot be asked, its ovs-vsctl command runs; a refusal fails the step with
     * the database's line, and the steps before it are undone.
     */
    @Test
    void aPortsChangeGoesToTheDatabaseAndElseRunsItsCommand() {
        Step veth = new LinkSteps.AddVethPair("veth1pl42", "veth1pg42", 1500);
        Step port = new OvsSteps.AddOvsPort("ovs0", "veth1pl42", Optional.of(new Vlan(7)),
                Map.of("pipework.nspid", "42"));
        List<Command.OvsPortChange> asked = new ArrayList<>();
        RecordingRunner runner = new RecordingRunner();
        new Executor(runner, ContainerActions.NONE, (change, stopping) -> {
            asked.add(change);
            return Optional.of(new CommandResult(0, "", ""));
        }, Optional.empty()).execute(new Plan(List.of(veth, port), List.of(), List.of()));
        assertEquals(List.of(port.command()), asked);
        assertEquals(List.of(veth.argv()), runner.ran);

        RecordingRunner unserved = new RecordingRunner();
        new Executor(unserved, ContainerActions.NONE, OvsdbActions.NONE, Optional.empty()).execute(new Plan(List.of(port), List.of(), List.of()));
        assertEquals(List.of(port.argv()), unserved.ran);

        RecordingRunner refused = new RecordingRunner();
        PipeworkException e = assertThrows(PipeworkException.class, () -> new Executor(refused, ContainerActions.NONE,
                (change, stopping) -> Optional.of(new CommandResult(1, "", "no bridge named ovs0\n")), Optional.empty())
                .execute(new Plan(List.of(veth, port), List.of(), List.of())));
        assertEquals("failed to add port \"veth1pl42\" to Open vSwitch bridge \"ovs0\": no bridge named ovs0", e.getMessage());
        assertEquals(List.of(veth.argv(), veth.undo().orElseThrow().argv()), refused.ran);

        // The wait for a port: on the socket where the database takes it, else ovs-vsctl wait-until.
        Step await = new OvsSteps.AwaitOvsPort("ovs0", "veth1pl42");
        List<Command.AwaitOvsPort> awaited = new ArrayList<>();
        RecordingRunner onSocket = new RecordingRunner();
        new Executor(onSocket, ContainerActions.NONE, new OvsdbActions() {
            public Optional<CommandResult> apply(Command.OvsPortChange change, java.util.function.BooleanSupplier stopping) {
                return Optional.of(new CommandResult(0, "", ""));
            }

            public Optional<CommandResult> awaitPort(Command.AwaitOvsPort a, java.util.function.BooleanSupplier stopping) {
                awaited.add(a);
                return Optional.of(new CommandResult(0, "", ""));
            }
        }, Optional.empty()).execute(new Plan(List.of(port, await), List.of(), List.of()));
        assertEquals(List.of(await.command()), awaited);
        assertEquals(List.of(), onSocket.ran);
        RecordingRunner byVsctl = new RecordingRunner();
        new Executor(byVsctl, ContainerActions.NONE, OvsdbActions.NONE, Optional.empty())
                .execute(new Plan(List.of(await), List.of(), List.of()));
        assertEquals(List.of(List.of("ovs-vsctl", "--timeout=30", "wait-until", "Interface", "veth1pl42", "ofport!=[]")),
                byVsctl.ran);
    }

    static IntStream failingStep() {
        return IntStream.range(0, 9);
    }

    /** Failing at step k undoes exactly the completed steps that have an undo, last first. */
    @ParameterizedTest(name = "fail at step {0}")
    @MethodSource("failingStep")
    void failureAtStepKUndoesCompletedStepsInReverse(int k) {
        RecordingRunner runner = new RecordingRunner(k, 2);
        Plan plan = fullPlan();
        PipeworkException e = assertThrows(PipeworkException.class, () -> nsenterOnly(runner).execute(plan));
        assertEquals(2, e.exitStatus(), "the failed command's status is passed on");
        assertTrue(e.getMessage().startsWith("failed to " + plan.steps().get(k).action() + ": RTNETLINK answers"),
                e.getMessage());
        List<List<String>> expectedUndo = new ArrayList<>();
        for (int i = k - 1; i >= 0; i--) {
            plan.steps().get(i).undo().ifPresent(undo -> expectedUndo.add(undo.argv()));
        }
        assertEquals(withoutFamily(expectedUndo), withoutFamily(runner.ran.subList(k + 1, runner.ran.size())));
        assertTrue(runner.ran.stream().noneMatch(c -> c.contains("arping")), "nothing is announced after a failure");
    }

    /** A check of what the plan made that fails undoes every step, last first, and its failure is the run's. */
    @Test
    void aFailedCheckAfterThePlanUndoesIt() {
        RecordingRunner runner = new RecordingRunner();
        Plan plan = fullPlan();
        PipeworkException e = assertThrows(PipeworkException.class, () -> nsenterOnly(runner).execute(plan, () -> {
            throw new PipeworkException("interface \"eth1\" is not in container \"c\" after the attach");
        }));
        assertEquals("interface \"eth1\" is not in container \"c\" after the attach", e.getMessage());
        int steps = runner.ran.size() - (int) plan.steps().stream().filter(st -> st.undo().isPresent()).count();
        List<List<String>> expectedUndo = new ArrayList<>();
        for (int i = plan.steps().size() - 1; i >= 0; i--) {
            plan.steps().get(i).undo().ifPresent(undo -> expectedUndo.add(undo.argv()));
        }
        assertEquals(withoutFamily(expectedUndo), withoutFamily(runner.ran.subList(steps, runner.ran.size())));
        assertEquals("found", nsenterOnly(new RecordingRunner()).execute(plan, () -> "found"), "a check that passes");
    }

    @Test
    void undoFailuresAreReportedAfterTheFirstError() {
        Plan plan = fullPlan();
        RecordingRunner runner = new RecordingRunner(3, 1).failingWith(plan.steps().get(1).undo().orElseThrow().argv(),
                "RTNETLINK answers: Operation not permitted");
        PipeworkException e = assertThrows(PipeworkException.class, () -> nsenterOnly(runner).execute(plan));
        String[] lines = e.getMessage().split("\n");
        assertEquals(2, lines.length, e.getMessage());
        assertTrue(lines[0].startsWith("failed to set \"veth1pl42\" up"), lines[0]);
        assertTrue(lines[1].contains("ip link del dev veth1pl42") && lines[1].contains("Operation not permitted"), lines[1]);
        // The later undo failing does not stop the earlier ones.
        assertEquals(plan.steps().get(0).undo().orElseThrow().argv(), runner.ran.get(runner.ran.size() - 1));
    }

    /**
     * A macvlan made and moved into the guest, then a failure: it is deleted in the guest, and the
     * host's deletion of it (for when the move never ran) finds none, which is no failure.
     */
    @Test
    void aMadeLinkMovedIntoTheGuestIsDeletedThereOnUndo() {
        String guest = "/proc/42/ns/net";
        Plan plan = new Plan(List.of(
                new LinkSteps.AddMacvlan("eth0", "ph42eth1", 1500, dev.pipework.model.MacvlanMode.BRIDGE),
                new LinkSteps.MoveNewLinkToNetns("ph42eth1", guest, "container \"c\""),
                new LinkSteps.RenameLink(Where.guest(guest), "ph42eth1", "eth1"),
                new AddressSteps.AddAddress(Where.guest(guest), Family.INET, IpCidr.parse("10.0.0.2/24"), "eth1")),
                List.of(), List.of());
        RecordingRunner runner = new RecordingRunner(3, 2).failing(plan.steps().get(0).undo().orElseThrow().argv());
        PipeworkException e = assertThrows(PipeworkException.class, () -> nsenterOnly(runner).execute(plan));
        assertEquals(1, e.getMessage().split("\n").length, e.getMessage());
        List<List<String>> undone = withoutFamily(runner.ran.subList(4, runner.ran.size()));
        assertEquals(withoutFamily(List.of(plan.steps().get(1).undo().orElseThrow().argv(),
                plan.steps().get(0).undo().orElseThrow().argv())), undone);
        assertTrue(undone.get(0).containsAll(List.of("link", "del", "dev", "ph42eth1")) && undone.get(0).contains("nsenter"),
                undone.get(0).toString());
    }

    @Test
    void ipStepsInOneNamespaceRunAsOneBatch() {
        CountingRunner runner = new CountingRunner();
        nsenterOnly(runner).execute(fullPlan());
        // ovs-vsctl add-br, ip link add, ovs-vsctl add-port, one batch on the host, one in the guest, arping.
        assertEquals(List.of("ovs-vsctl", "ip", "ovs-vsctl", "ip -batch -", "nsenter --net=/proc/42/ns/net ip -4 -batch -",
                "setsid"), runner.commands);
        assertEquals("link set dev veth1pl42 up\nlink set dev veth1pg42 netns /proc/42/ns/net\n", runner.inputs.get(0));
    }

    /** A guest's batch by ip's own -n, where iproute2's directory is there: one program, not nsenter and ip. */
    @Test
    void aGuestsBatchIsRunByIpsOwnNetnsName() {
        CountingRunner runner = new CountingRunner();
        byName(runner, new IpBatch.ByName(() -> true)).execute(fullPlan());
        assertEquals(List.of("ovs-vsctl", "ip", "ovs-vsctl", "ip -batch -",
                "ip -n " + Where.TO_ROOT + "/proc/42/ns/net -4 -batch -", "setsid"), runner.commands);
    }

    /**
     * Where ip -n cannot enter (it may not mount /sys in a mount namespace of its own), it fails
     * before its first line: the batch is run by nsenter, and so are the process's after it.
     */
    @Test
    void aGuestsBatchIpCannotEnterByNameIsRunByNsenter() {
        CountingRunner runner = answeringByName(new CommandResult(255, "", "mount of /sys failed: Permission denied\n"));
        // Two runs of one process: each has an executor of its own, both the process's ByName.
        IpBatch.ByName process = new IpBatch.ByName(() -> true);
        byName(runner, process).execute(fullPlan());
        byName(runner, process).execute(fullPlan());
        assertSame(IpBatch.ByName.whereTheDirectoryIs(), IpBatch.ByName.whereTheDirectoryIs(), "the process's");
        String byName = "ip -n " + Where.TO_ROOT + "/proc/42/ns/net -4 -batch -";
        String nsenter = "nsenter --net=/proc/42/ns/net ip -4 -batch -";
        assertEquals(List.of("ovs-vsctl", "ip", "ovs-vsctl", "ip -batch -", byName, nsenter, "setsid",
                "ovs-vsctl", "ip", "ovs-vsctl", "ip -batch -", nsenter, "setsid"), runner.commands);
    }

    /** A line of the batch that fails is the batch's failure, not a reason to run it again by nsenter. */
    @Test
    void aFailedLineOfABatchByNameIsNotRunAgain() {
        CountingRunner runner = answeringByName(new CommandResult(2, "", "RTNETLINK answers: File exists\nCommand failed -:1\n"));
        assertThrows(PipeworkException.class, () -> byName(runner, new IpBatch.ByName(() -> true)).execute(fullPlan()));
        assertEquals(1, runner.commands.stream().filter(c -> c.contains("-4 -batch")).count(), runner.commands.toString());
    }

    /**
     * ip -batch exits on a line it cannot parse without naming the line: the steps of that batch
     * and the ones before are undone as if all were done (each such undo is harmless when its
     * change is absent), except an undo that would act in another namespace than its step.
     */
    @Test
    void aBatchThatFailsWithoutNamingItsLineIsUndoneWhole() {
        Plan plan = new Plan(List.of(
                new LinkSteps.AddLinuxBridge("br1"),
                new LinkSteps.SetLinkUp(Where.HOST, "br1"),
                new LinkSteps.AddVethPair("dev", "veth1pg42", 1500),
                new LinkSteps.SetMaster("dev", "br1"),
                new LinkSteps.SetAlias(Where.HOST, "dev", "pipework"),
                new LinkSteps.MoveToNetns("veth1pg42", "/proc/42/ns/net", "c", Optional.of("/proc/1/ns/net"))),
                List.of(), List.of());
        List<List<String>> ran = new ArrayList<>();
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                ran.add(argv);
                return new CommandResult(0, "", "");
            }

            public CommandResult run(List<String> argv, String stdin) {
                ran.add(argv);
                return new CommandResult(255, "", "Error: argument \"dev\" is wrong: \"master\" not a valid ifname\n");
            }
        };
        PipeworkException e = assertThrows(PipeworkException.class, () -> nsenterOnly(runner).execute(plan));
        assertTrue(e.getMessage().startsWith("failed to create bridge \"br1\", or to "), e.getMessage());
        assertEquals(List.of(
                List.of("ip", "-batch", "-"),
                List.of("ip", "link", "del", "dev", "dev"),
                List.of("ip", "link", "del", "dev", "br1")), ran, "the guest's own link is not moved out");
    }

    /** Records each process started: its command (the program, or the whole batch command) and its input. */
    static class CountingRunner implements CommandRunner {
        final List<String> commands = new ArrayList<>();
        final List<String> inputs = new ArrayList<>();

        public CommandResult run(List<String> argv) {
            commands.add(argv.get(0));
            return new CommandResult(0, "", "");
        }

        public CommandResult run(List<String> argv, String stdin) {
            commands.add(String.join(" ", argv));
            inputs.add(stdin);
            return new CommandResult(0, "", "");
        }

    }

    @Test
    void replacedDefaultRouteIsRestoredOnUndo() {
        AddressSteps.ReplaceDefaultRoute step = (AddressSteps.ReplaceDefaultRoute) fullPlan().steps().get(8);
        assertEquals(List.of("nsenter", "--net=/proc/42/ns/net", "ip", "-4", "route", "replace", "default", "via",
                "172.17.0.1", "dev", "eth0"), step.undo().orElseThrow().argv());
        AddressSteps.ReplaceDefaultRoute none = new AddressSteps.ReplaceDefaultRoute(GUEST, Family.INET,
                IpAddress.parse("10.0.0.1"), "eth1", Optional.empty());
        assertEquals(List.of("nsenter", "--net=/proc/42/ns/net", "ip", "-4", "route", "del", "default"), none.undo().orElseThrow().argv());
    }

    @Test
    void statusOfCommandsThatCouldNotRunBecomesOne() {
        assertEquals(1, Executor.exitStatusOf(new CommandResult(127, "", "no such file")));
        assertEquals(2, Executor.exitStatusOf(new CommandResult(2, "", "")));
    }

    @Test
    void addressSpecDescribesItself() {
        assertEquals("10.0.0.2/24@10.0.0.1",
                new AddressSpec.Static(IpCidr.parse("10.0.0.2/24"), Optional.of(IpAddress.parse("10.0.0.1"))).describe());
    }
}
