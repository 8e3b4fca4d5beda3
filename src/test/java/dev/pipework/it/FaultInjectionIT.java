package dev.pipework.it;

import dev.pipework.cli.Main;
import dev.pipework.cli.Pipework;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.exec.OvsdbActions;
import dev.pipework.exec.ProcessCommandRunner;
import dev.pipework.plan.Command;
import dev.pipework.run.Services;
import dev.pipework.it.support.Guest;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;
import dev.pipework.json.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real plans on a real host, with the k-th command of the plan made to fail: whatever step fails,
 * the host and the container are left exactly as they were.
 */
class FaultInjectionIT {

    /**
     * Passes commands to the real runner, but fails the k-th one it is asked to run (from 0). The
     * lines of an {@code ip -batch -} count one by one: failing at a line runs the lines before it
     * for real, then answers as ip does when a line fails.
     */
    private static final class FailAt implements CommandRunner, OvsdbActions {
        final CommandRunner real = new ProcessCommandRunner();
        final int k;
        int count;

        FailAt(int k) {
            this.k = k;
        }

        public CommandResult run(List<String> argv) {
            if (count++ == k) {
                return new CommandResult(2, "", "injected failure\n");
            }
            return real.run(argv);
        }

        /**
         * A port's change on the database's socket counts as one command (where the socket is not
         * served, the change's ovs-vsctl then counts as a second).
         */
        public Optional<CommandResult> apply(Command.OvsPortChange change, java.util.function.BooleanSupplier stopping) {
            if (count++ == k) {
                return Optional.of(new CommandResult(2, "", "injected failure\n"));
            }
            return Services.OVSDB_SOCKET.apply(change, stopping);
        }

        /** The wait for a port on the socket counts as one command too. */
        public Optional<CommandResult> awaitPort(Command.AwaitOvsPort await, java.util.function.BooleanSupplier stopping) {
            if (count++ == k) {
                return Optional.of(new CommandResult(2, "", "injected failure\n"));
            }
            return Services.OVSDB_SOCKET.awaitPort(await, stopping);
        }

        public CommandResult run(List<String> argv, String stdin) {
            if (!argv.contains("-batch") || stdin == null) {
                return run(argv);
            }
            List<String> lines = stdin.lines().toList();
            if (k < count || k >= count + lines.size()) {
                count += lines.size();
                return real.run(argv, stdin);
            }
            int line = k - count;
            count += lines.size();
            if (line > 0) {
                CommandResult before = real.run(argv, String.join("\n", lines.subList(0, line)) + "\n");
                if (!before.succeeded()) {
                    return before;
                }
            }
            return new CommandResult(2, "", "injected failure\nCommand failed -:" + (line + 1) + "\n");
        }
    }

    private record Outcome(int status, String err) {
    }

    private static Outcome attach(int failAt, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        FailAt failing = new FailAt(failAt);
        int status = new Pipework(Main.services(failing, new ProcessCommandRunner(), errStream).withOvsdb(failing),
                new PrintStream(out, true, StandardCharsets.UTF_8), errStream).run(args);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "an attach prints nothing on stdout");
        return new Outcome(status, err.toString(StandardCharsets.UTF_8));
    }

    /** Everything of the container's network state, and what the host has that could belong to this run. */
    private static String snapshot(int pid, String bridge, String ovsBridge) {
        StringBuilder s = new StringBuilder();
        s.append("guest links ").append(Json.write(IpJson.ip(pid, "link", "show"))).append('\n');
        s.append("guest addrs ").append(Json.write(IpJson.ip(pid, "addr", "show"))).append('\n');
        s.append("guest routes ").append(Json.write(IpJson.ip(pid, "route", "show"))).append('\n');
        s.append("guest routes6 ").append(Json.write(IpJson.ip(pid, "-6", "route", "show"))).append('\n');
        String p = Integer.toString(pid);
        List<String> hostLinks = IpJson.links(null).stream().map(l -> (String) l.get("ifname"))
                .filter(n -> namesPid(n, p) || n.equals(bridge) || n.equals(ovsBridge)).sorted().toList();
        s.append("host links ").append(hostLinks).append('\n');
        if (bridge != null && hostLinks.contains(bridge)) {
            s.append("bridge ").append(Json.write(IpJson.ip(null, "link", "show", "master", bridge))).append('\n');
        }
        s.append("ovs bridges ").append(Sh.ok("ovs-vsctl", "list-br").out().lines()
                .filter(b -> b.equals(ovsBridge)).toList()).append('\n');
        if (ovsBridge != null && Sh.run("ovs-vsctl", "br-exists", ovsBridge).code() == 0) {
            s.append("ovs ports ").append(Sh.ok("ovs-vsctl", "list-ports", ovsBridge).out()).append('\n');
        }
        // The original links /var/run/netns/<pid>; other entries belong to others, even those whose
        // names merely contain the pid's digits.
        s.append("netns ").append(netnsEntries().stream()
                .filter(n -> namesPid(n, p)).toList()).append('\n');
        return s.toString();
    }

    /** Whether {@code name} has the pid as a number of its own (veth1pl1234 does, veth1pl41234 does not). */
    private static boolean namesPid(String name, String pid) {
        return List.of(name.split("[^0-9]+")).contains(pid);
    }

    private static TreeSet<String> netnsEntries() {
        Path dir = Path.of("/var/run/netns");
        if (!Files.isDirectory(dir)) {
            return new TreeSet<>();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(e -> e.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Runs the attach with every step failing in turn until one run succeeds, checking after each
     * failure that nothing changed; returns how many steps the plan had.
     */
    private static int failEachStepInTurn(int pid, String bridge, String ovsBridge, String... args) {
        String before = snapshot(pid, bridge, ovsBridge);
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            Outcome o = attach(k, args);
            if (o.status() == 0) {
                assertTrue(k >= 5, "a real plan has more than a few steps, got " + k);
                return k;
            }
            assertEquals(2, o.status(), "the failed command's status: " + o.err());
            assertTrue(o.err().contains("pipework: failed to "), o.err());
            assertTrue(o.err().contains("injected failure"), o.err());
            assertEquals(before, snapshot(pid, bridge, ovsBridge), "state after a failure at step " + k + ": " + o.err());
            failures.add(o.err());
        }
        throw new AssertionError("the attach never succeeded: " + failures);
    }

    @Test
    void newLinuxBridgeWithGatewayAndMac() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Guest c = rig.container("fi-br");
            int pid = c.pid();
            // A default route for the attach to replace, and for its undo to restore.
            c.netOk("ip", "link", "set", "lo", "up");
            c.netOk("ip", "route", "add", "default", "dev", "lo");
            String bridge = rig.host().bridge("brfi" + rig.suffix());
            String defaultBefore = IpJson.defaultGateway(pid).orElse("none");
            int steps = failEachStepInTurn(pid, bridge, null,
                    bridge, c.name(), "10.77.0.2/24@10.9.9.1", "02:12:34:56:78:9a");
            assertTrue(steps >= 10, "steps: " + steps);
            assertNotEquals(defaultBefore, IpJson.defaultGateway(pid).orElse("none"));
            assertEquals(List.of("10.77.0.2/24"), IpJson.addresses(pid, "eth1"));
        }
    }

    @Test
    void existingLinuxBridgeKeepsItsPorts() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Guest c = rig.container("fi-exist");
            String suffix = rig.suffix();
            String bridge = rig.host().createBridge("brfe" + suffix);
            // A fixed bridge MAC: otherwise the kernel gives the bridge the lowest MAC of its ports.
            Sh.ok("ip", "link", "set", bridge, "address", "02:00:00:00:fe:01");
            rig.host().createVeth("fea" + suffix, "feb" + suffix);
            Sh.ok("ip", "link", "set", "fea" + suffix, "master", bridge);
            Sh.ok("ip", "link", "set", "fea" + suffix, "up");
            failEachStepInTurn(c.pid(), bridge, null, bridge, c.name(), "10.78.0.2/24");
        }
    }

    @Test
    void newOvsBridgeWithVlan() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        try (Rig rig = new Rig()) {
            Guest c = rig.container("fi-ovs");
            int pid = c.pid();
            String ovs = rig.host().ovsBridge("ovsfi" + rig.suffix());
            failEachStepInTurn(pid, null, ovs, ovs, c.name(), "10.79.0.2/24", "@100");
            assertEquals("100", Sh.ok("ovs-vsctl", "get", "Port", "veth1pl" + pid, "tag").trimmed());
        }
    }

    /**
     * With {@code --json} the attach reads its interface back from the guest before it lets go of
     * the locks; when that check fails (here the reading, once the plan has run), the attach is
     * undone, not left in place behind an error.
     */
    @Test
    void aFailedCheckAfterTheAttachUndoesIt() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Guest c = rig.container("fi-chk");
            String bridge = rig.host().bridge("brfc" + rig.suffix());
            String before = snapshot(c.pid(), bridge, null);
            CommandRunner real = new ProcessCommandRunner();
            boolean[] ran = {false};
            CommandRunner executing = new CommandRunner() {
                public CommandResult run(List<String> argv) {
                    ran[0] = true;
                    return real.run(argv);
                }

                public CommandResult run(List<String> argv, String stdin) {
                    ran[0] = true;
                    return real.run(argv, stdin);
                }
            };
            CommandRunner reading = new CommandRunner() {
                public CommandResult run(List<String> argv) {
                    return real.run(argv);
                }

                public CommandResult run(List<String> argv, String stdin) {
                    if (ran[0] && argv.contains("-batch") && (argv.contains("nsenter") || argv.contains("-n"))) {
                        return new CommandResult(1, "", "injected failure\n");
                    }
                    return real.run(argv, stdin);
                }
            };
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
            int status = new Pipework(Main.services(executing, reading, errStream),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), errStream)
                    .run("--json", bridge, c.name(), "10.81.0.2/24");
            String text = err.toString(StandardCharsets.UTF_8);
            assertTrue(ran[0], "the plan ran: " + text);
            assertNotEquals(0, status, text);
            assertTrue(text.contains("cannot list the interfaces") && text.contains("injected failure"), text);
            assertEquals(before, snapshot(c.pid(), bridge, null), "the attach was undone: " + text);
        }
    }

    @Test
    void failureReportsUndoThatCouldNotBeDone() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        try (Rig rig = new Rig()) {
            Guest c = rig.container("fi-msg");
            String bridge = rig.host().bridge("brfm" + rig.suffix());
            Outcome o = attach(2, bridge, c.name(), "10.80.0.2/24");
            assertEquals(2, o.status());
            assertEquals("pipework: failed to create veth pair \"veth1pl" + c.pid() + "\"/\"veth1pg"
                    + c.pid() + "\": injected failure\n", o.err());
            assertTrue(IpJson.link(null, bridge).isEmpty(), "the bridge this run created is gone");
        }
    }

}
