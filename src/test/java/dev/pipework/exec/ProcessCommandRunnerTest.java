package dev.pipework.exec;

import dev.pipework.plan.DhcpSteps;
import dev.pipework.plan.OvsSteps;
import dev.pipework.plan.Plan;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.Invocation;
import dev.pipework.sys.RunningProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every child has a bound: past it, it and what it started are stopped, and the result says so. */
class ProcessCommandRunnerTest {

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitGone(long pid) throws InterruptedException {
        for (int i = 0; i < 50 && alive(pid); i++) {
            Thread.sleep(100);
        }
    }

    @Test
    void aCommandThatHangsIsStoppedWithItsChildren() throws Exception {
        ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofMillis(500));
        CommandResult r = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> runner.run(
                List.of("sh", "-c", "sleep 60 & echo $!; echo waiting >&2; wait")));
        assertEquals(ProcessCommandRunner.TIMED_OUT, r.exitStatus());
        assertFalse(r.succeeded());
        assertTrue(r.reason().startsWith("sh did not finish within 0.5 s and was stopped"), r.reason());
        assertTrue(r.reason().contains("waiting"), r.reason());
        long child = Long.parseLong(r.stdout().strip());
        awaitGone(child);
        assertFalse(alive(child), "the sleep it started is stopped too");
    }

    /** The tree is stopped, not just the command: a grandchild, and what the command forks after the bound. */
    @Test
    void theBoundStopsTheWholeTree() throws Exception {
        ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofMillis(500));
        CommandResult r = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> runner.run(List.of("sh", "-c",
                "sh -c 'sleep 60 & echo $!; sleep 60' & echo $!; wait")));
        assertTrue(r.timedOut());
        List<Long> pids = r.stdout().lines().map(String::strip).map(Long::parseLong).toList();
        assertEquals(2, pids.size(), r.stdout());
        for (long pid : pids) {
            awaitGone(pid);
            assertFalse(alive(pid), "process " + pid + " under the command is stopped");
        }
    }

    @Test
    void aStartedProcessIsStoppedWithItsTreeOnCloseOrAtItsBound() throws Exception {
        ProcessCommandRunner runner = new ProcessCommandRunner();
        long pid;
        try (RunningProcess p = runner.start(Invocation.of(List.of("sleep", "60")))) {
            pid = p.pid();
            assertTrue(p.alive());
        }
        awaitGone(pid);
        assertFalse(alive(pid));
        RunningProcess bounded = runner.start(Invocation.of(List.of("sh", "-c", "sleep 60 & wait"))
                .withBound(Duration.ofMillis(300)));
        List<ProcessHandle> tree = new ArrayList<>();
        for (int i = 0; i < 50 && tree.isEmpty(); i++) {
            Thread.sleep(20);
            ProcessHandle.of(bounded.pid()).ifPresent(h -> tree.addAll(h.descendants().toList()));
        }
        assertFalse(tree.isEmpty(), "the sleep under sh");
        awaitGone(bounded.pid());
        awaitGone(tree.get(0).pid());
        // A killed child is a zombie (not alive to ProcessHandle) until the JDK's reaper thread
        // waits for it; only then does its Process say it ended.
        for (int i = 0; i < 50 && bounded.alive(); i++) {
            Thread.sleep(100);
        }
        assertFalse(bounded.alive(), "stopped at its bound");
        assertFalse(alive(tree.get(0).pid()), "and what it started");
    }

    /**
     * A signal's stop is of the commands running when it comes: the undo that follows starts its
     * own at once (as soon as the command it stopped has ended), while the stop may still be going
     * through the others; none of those may be stopped. Ten commands are stopped; each one's thread
     * starts another command as soon as its own has ended, which must run to its end.
     */
    @Test
    void aStopLeavesTheCommandsStartedAfterItAlone() throws Exception {
        ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofSeconds(30));
        int n = 10;
        List<CommandResult> stopped = java.util.Collections.synchronizedList(new ArrayList<>());
        List<CommandResult> after = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                stopped.add(runner.run(List.of("sleep", "30")));
                after.add(runner.run(List.of("sh", "-c", "sleep 0.5; echo undone")));
            });
            threads.add(t);
            t.start();
        }
        assertTrue(assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            while (runner.commandsRunning() < n) {
                Thread.sleep(20);
            }
            return true;
        }));
        runner.stopRunning();
        for (Thread t : threads) {
            t.join(20_000);
            assertFalse(t.isAlive(), "a thread still runs its commands 20 s after the stop");
        }
        assertEquals(n, stopped.size());
        stopped.forEach(r -> assertFalse(r.succeeded(), r.toString()));
        assertEquals(n, after.size());
        after.forEach(r -> assertEquals(new CommandResult(0, "undone\n", ""), r, "a command started after the stop"));
    }

    /** An IPAM plugin is given the configuration on stdin and CNI_* variables over this process's own. */
    @Test
    void inputAndVariablesAreGiven() {
        ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofSeconds(20));
        CommandResult r = runner.run(Invocation.of(List.of("sh", "-c", "cat; echo \"$CNI_COMMAND $PATH\""))
                .withStdin("{}\n").withEnv(java.util.Map.of("CNI_COMMAND", "ADD")));
        assertEquals(new CommandResult(0, "{}\nADD " + System.getenv("PATH") + "\n", ""), r);
        assertFalse(runner.run(Invocation.of(List.of("sh", "-c", "echo \"${CNI_COMMAND-unset}\""))).stdout()
                .contains("ADD"), "variables are given to that command only");
    }

    /** {@code -v}: one line per command, with the variables it is given, as a shell would take them. */
    @Test
    void verboseLogsOneLinePerCommand() {
        System.setProperty("org.slf4j.simpleLogger.log." + ProcessCommandRunner.class.getName(), "debug");
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        CommandLog.enable();
        try {
            new ProcessCommandRunner().run(Invocation.of(List.of("sh", "-c", "exit 3")).withEnv(java.util.Map.of(
                    "CNI_COMMAND", "DEL")));
        } finally {
            CommandLog.disable();
            System.setErr(saved);
        }
        List<String> lines = err.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.stream().filter(l -> l.contains("run: ")).count(), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("run: CNI_COMMAND=DEL sh -c 'exit 3'")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("exit 3")), lines.toString());
    }

    @Test
    void aCommandThatDoesNotReadItsInputIsStoppedToo() {
        ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofMillis(500));
        String input = "x".repeat(1 << 20);
        CommandResult r = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> runner.run(List.of("sleep", "60"), input));
        assertEquals(ProcessCommandRunner.TIMED_OUT, r.exitStatus());
    }

    @Test
    void aSmallInputIsGivenWhetherOrNotTheCommandReadsIt() {
        ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofMillis(500));
        String page = "y".repeat(4095) + "\n";
        assertEquals(page, runner.run(List.of("cat"), page).stdout());
        // Neither reading it nor ending: the input was written all the same, and the bound holds.
        CommandResult r = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> runner.run(List.of("sleep", "60"), page));
        assertEquals(ProcessCommandRunner.TIMED_OUT, r.exitStatus());
        // Ended before reading it: the write's broken pipe is no failure of the run.
        assertEquals(0, runner.run(List.of("true"), page).exitStatus());
    }

    @Test
    void discardingOutputIsBoundedToo() {
        ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofMillis(300));
        int status = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> runner.runDiscardingOutput(List.of("sleep", "60")));
        assertEquals(ProcessCommandRunner.TIMED_OUT, status);
    }

    @Test
    void aCommandWithinItsBoundRunsAsBefore() {
        ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofSeconds(20));
        CommandResult r = runner.run(List.of("sh", "-c", "cat; echo oops >&2; exit 3"), "in\n");
        assertEquals(new CommandResult(3, "in\n", "oops\n"), r);
        assertEquals(127, runner.run(List.of("/nonexistent/command")).exitStatus());
    }

    @Test
    void aBoundOfItsOwnOverridesTheDefault() {
        ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofMillis(200));
        CommandResult r = runner.run(List.of("sh", "-c", "sleep 1; echo done"), null, Duration.ofSeconds(20));
        assertEquals(0, r.exitStatus(), r.reason());
        assertEquals("done\n", r.stdout());
    }

    /** A DHCP client waits for its lease: it runs with the longer bound, and nothing else does. */
    @Test
    void hostDhcpClientsGetTheLongerBound() {
        List<Duration> bounds = new ArrayList<>();
        CommandRunner spy = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                bounds.add(null);
                return new CommandResult(0, "", "");
            }

            public CommandResult run(List<String> argv, String stdin) {
                return run(argv);
            }

            public CommandResult run(List<String> argv, String stdin, Duration bound) {
                bounds.add(bound);
                return new CommandResult(0, "", "");
            }
        };
        new Executor(spy).execute(new Plan(List.of(
                new DhcpSteps.HostDhcpClient("pipework-42", "udhcpc", List.of("-qi", "eth1"), "eth1"),
                new OvsSteps.AddOvsBridge("ovs0", true)), List.of(), List.of()));
        assertEquals(DhcpSteps.HostDhcpClient.LEASE_BOUND, bounds.get(0));
        assertTrue(bounds.get(0).compareTo(ProcessCommandRunner.DEFAULT_BOUND) > 0);
        assertEquals(null, bounds.get(1), "other steps keep the runner's own bound");
    }

    /** ovs-vsctl waits for ever for an ovs-vswitchd that does not answer unless told otherwise. */
    @Test
    void everyOvsVsctlStepHasATimeout() {
        List<List<String>> commands = List.of(
                new OvsSteps.AddOvsBridge("ovs0", false).argv(),
                new OvsSteps.AddOvsBridge("ovs0", false).undo().orElseThrow().argv(),
                new OvsSteps.AddOvsPort("ovs0", "p1", Optional.empty(), java.util.Map.of()).argv(),
                new OvsSteps.AddOvsPort("ovs0", "p1", Optional.empty(), java.util.Map.of()).undo().orElseThrow().argv(),
                new OvsSteps.RemoveOvsPort("ovs0", "p1").argv());
        for (List<String> argv : commands) {
            assertEquals("ovs-vsctl", argv.get(0));
            assertTrue(argv.get(1).matches("--timeout=[1-9][0-9]*"), argv.toString());
        }
    }
}
