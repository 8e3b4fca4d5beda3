package dev.pipework.host;

import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.PrivateOvsdb;
import dev.pipework.it.support.Sh;
import dev.pipework.plan.Command;
import dev.pipework.plan.OvsSteps;
import dev.pipework.model.Vlan;
import dev.pipework.sys.CommandResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A port's addition and removal on Open vSwitch's database socket, against an {@code ovsdb-server}
 * of the test's own: what each leaves in the database, read back by {@code ovs-vsctl}, and what each
 * refuses as {@code ovs-vsctl} does.
 */
class OvsdbPortChangesIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SWITCH = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @BeforeEach
    void prerequisites() {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
    }

    private static Command.OvsPortChange add(String bridge, String port, int tag, Map<String, String> ids) {
        return (Command.OvsPortChange) new OvsSteps.AddOvsPort(bridge, port, Optional.of(new Vlan(tag)), ids).command();
    }

    private static Command.OvsPortChange remove(String bridge, String port) {
        return (Command.OvsPortChange) new OvsSteps.RemoveOvsPort(bridge, port).command();
    }

    private static CommandResult apply(PrivateOvsdb db, Command.OvsPortChange change) throws Exception {
        return OvsdbPortChanges.apply(db.socket(), change, TIMEOUT, SWITCH);
    }

    private static String get(PrivateOvsdb db, String... args) {
        return db.vsctl(args).assertOk(String.join(" ", args)).trimmed();
    }

    @Test
    void aPortIsAddedWithItsTagAndIdsAndReplacesAStaleRecordOfItsName() throws Exception {
        try (PrivateOvsdb db = new PrivateOvsdb(tmp.resolve("db"))) {
            db.standInSwitch();
            db.vsctl("add-br", "br0").assertOk("add-br");
            db.vsctl("add-port", "br0", "p1", "tag=5").assertOk("stale record");
            String cfg = get(db, "get", "Open_vSwitch", ".", "next_cfg");

            CommandResult r = apply(db, add("br0", "p1", 7, Map.of("pipework.bridge", "br0", "pipework.nspid", "42 x")));
            assertEquals(0, r.exitStatus(), r.stderr());
            assertEquals("p1", get(db, "list-ports", "br0"));
            assertEquals("7", get(db, "get", "Port", "p1", "tag"));
            assertEquals("{pipework.bridge=br0, pipework.nspid=\"42 x\"}", get(db, "get", "Interface", "p1", "external_ids"));
            assertEquals(1, get(db, "--columns=name", "find", "Interface", "name=p1").lines().count(), "one interface of the name");
            long next = Long.parseLong(get(db, "get", "Open_vSwitch", ".", "next_cfg"));
            assertEquals(Long.parseLong(cfg) + 1, next, "the switch asked once to apply the database");
            assertEquals(next, Long.parseLong(get(db, "get", "Open_vSwitch", ".", "cur_cfg")), "and awaited");

            assertEquals(0, apply(db, remove("br0", "p1")).exitStatus());
            assertEquals("", get(db, "list-ports", "br0"));
            assertEquals("", get(db, "--columns=name", "find", "Interface", "name=p1"), "its interface's row went with it");
            String after = get(db, "get", "Open_vSwitch", ".", "next_cfg");
            CommandResult again = apply(db, remove("br0", "p1"));
            assertEquals(0, again.exitStatus(), "--if-exists: a port that is not there is no failure");
            assertEquals(after, get(db, "get", "Open_vSwitch", ".", "next_cfg"), "nothing to apply");
        }
    }

    /**
     * An addition that does not wait returns once the transaction is in (no switch applies it here),
     * and the wait for its port, a step of its own, waits until the switch has given the port's
     * interface its OpenFlow port number: at the bound without a switch, at once where the run is
     * being stopped, and as soon as a switch applies it.
     */
    @Test
    void anAdditionThatDoesNotWaitAndTheWaitForItsPort() throws Exception {
        try (PrivateOvsdb db = new PrivateOvsdb(tmp.resolve("db"))) {
            db.vsctl("add-br", "br0").assertOk("add-br");
            Command.OvsPortChange change = (Command.OvsPortChange) new OvsSteps.AddOvsPort("br0", "p1",
                    Optional.of(new Vlan(7)), Map.of("k", "v"), false).command();
            String cfg = get(db, "get", "Open_vSwitch", ".", "next_cfg");
            assertEquals(new CommandResult(0, "", ""), OvsdbPortChanges.apply(db.socket(), change, TIMEOUT,
                    Duration.ofMillis(300)));
            assertEquals("p1", get(db, "list-ports", "br0"));
            assertEquals("[]", get(db, "get", "Interface", "p1", "ofport"), "no switch here");
            assertEquals(cfg, get(db, "get", "Open_vSwitch", ".", "next_cfg"),
                    "no new configuration number asked for, as ovs-vsctl --no-wait");

            Command.AwaitOvsPort await = (Command.AwaitOvsPort) new OvsSteps.AwaitOvsPort("br0", "p1").command();
            assertEquals(new CommandResult(1, "", "Open vSwitch's switch (is ovs-vswitchd running?) did not apply"
                    + " the change within 0.3 s\n"), OvsdbPortChanges.awaitPort(db.socket(), await, TIMEOUT,
                    Duration.ofMillis(300), () -> false));
            long t0 = System.nanoTime();
            assertEquals(new CommandResult(1, "", "stopped by a signal while Open vSwitch's switch applied the change\n"),
                    OvsdbPortChanges.awaitPort(db.socket(), await, TIMEOUT, SWITCH, () -> true));
            assertEquals(true, (System.nanoTime() - t0) / 1_000_000 < 3_000, "a stopped run waits no longer");

            // As ovs-vsctl wait-until, a port whose interface is not there is waited for too.
            Command.AwaitOvsPort missing = (Command.AwaitOvsPort) new OvsSteps.AwaitOvsPort("br0", "p9").command();
            assertEquals(1, OvsdbPortChanges.awaitPort(db.socket(), missing, TIMEOUT, Duration.ofMillis(300), () -> false)
                    .exitStatus());

            db.standInSwitch();
            assertEquals(new CommandResult(0, "", ""), OvsdbPortChanges.awaitPort(db.socket(), await, TIMEOUT, SWITCH,
                    () -> false));
            assertEquals("1", get(db, "get", "Interface", "p1", "ofport"));
            // ovs-vsctl's own wait, the command the step equals, agrees.
            Sh.Result said = db.vsctl(await.argv().subList(1, await.argv().size()).toArray(String[]::new));
            assertEquals(0, said.code(), said.describe());
        }
    }

    /**
     * An interface the switch cannot set up ({@code ofport} -1) fails the wait for its port, and an
     * addition that waits, in the words {@code ovs-vsctl add-port} warns with ({@code wait-until ...
     * ofport!=[]} would pass).
     */
    @Test
    void aPortTheSwitchCannotSetUpFailsTheWaitForIt() throws Exception {
        try (PrivateOvsdb db = new PrivateOvsdb(tmp.resolve("db"))) {
            db.standInSwitch();
            db.vsctl("add-br", "br0").assertOk("add-br");
            String port = PrivateOvsdb.UNOPENABLE;
            Command.OvsPortChange change = (Command.OvsPortChange) new OvsSteps.AddOvsPort("br0", port,
                    Optional.of(new Vlan(7)), Map.of("k", "v"), false).command();
            assertEquals(0, OvsdbPortChanges.apply(db.socket(), change, TIMEOUT, SWITCH).exitStatus());
            Command.AwaitOvsPort await = (Command.AwaitOvsPort) new OvsSteps.AwaitOvsPort("br0", port).command();
            assertEquals(new CommandResult(1, "", "Error detected while setting up '" + port + "': could not open"
                            + " network device (stand-in).  See ovs-vswitchd log for details.\n"),
                    OvsdbPortChanges.awaitPort(db.socket(), await, TIMEOUT, SWITCH, () -> false));
            assertEquals("-1", get(db, "get", "Interface", port, "ofport"));

            // An addition that waits for the switch (the Docker driver's Join) fails so too, and is taken back.
            CommandResult waited = apply(db, add("br0", port, 7, Map.of("k", "v")));
            assertEquals(new CommandResult(1, "", "Error detected while setting up '" + port + "': could not open"
                    + " network device (stand-in).  See ovs-vswitchd log for details.\n"), waited);
            assertEquals("", get(db, "list-ports", "br0"), "the addition taken back");

            // An interface the switch has applied the change without giving a port: the same, without an error.
            CommandResult none = apply(db, add("br0", PrivateOvsdb.UNHANDLED, 7, Map.of("k", "v")));
            assertEquals(new CommandResult(1, "", "Error detected while setting up '" + PrivateOvsdb.UNHANDLED
                    + "'.  See ovs-vswitchd log for details.\n"), none);
            assertEquals("", get(db, "list-ports", "br0"), "the addition taken back");
        }
    }

    @Test
    void whatOvsVsctlRefusesIsRefusedInItsWordsOrLeftToItAndNothingChanges() throws Exception {
        try (PrivateOvsdb db = new PrivateOvsdb(tmp.resolve("db"))) {
            db.standInSwitch();
            db.vsctl("add-br", "br0").assertOk("add-br");
            db.vsctl("add-br", "br1").assertOk("add-br");
            db.vsctl("add-port", "br1", "p1", "tag=5").assertOk("add-port");
            db.vsctl("add-br", "vlan10", "br0", "10").assertOk("a VLAN's fake bridge");
            db.vsctl("add-port", "vlan10", "p4").assertOk("a port of the fake bridge (on br0, tag 10)");
            db.vsctl("add-port", "br0", "p5", "tag=10").assertOk("a port of br0 with the fake bridge's tag");
            db.vsctl("add-port", "br0", "p6", "tag=7").assertOk("a port of br0 with another tag");
            db.vsctl("add-port", "br1", "p7", "tag=10").assertOk("a port of another bridge with the fake bridge's tag");
            String cfg = get(db, "get", "Open_vSwitch", ".", "next_cfg");

            CommandResult other = apply(db, add("br0", "p1", 7, Map.of("k", "v")));
            assertEquals(new CommandResult(1, "", "bridge br0 does not have a port p1\n"), other);
            assertEquals(new CommandResult(1, "", "bridge br0 does not have a port p1\n"), apply(db, remove("br0", "p1")));
            assertEquals(new CommandResult(0, "", ""), apply(db, remove("br9", "p2")), "no such port: nothing to do");
            // ovs-vsctl's own words for the same: the commands the changes equal.
            for (Command.OvsPortChange change : java.util.List.of(add("br0", "p1", 7, Map.of("k", "v")),
                    remove("br0", "p1"), remove("br9", "p2"))) {
                Sh.Result said = db.vsctl(change.argv().subList(1, change.argv().size()).toArray(String[]::new));
                CommandResult ours = apply(db, change);
                assertEquals(ours.exitStatus(), said.code(), change.argv().toString());
                assertEquals(ours.stderr().isEmpty() ? "" : "ovs-vsctl: " + ours.stderr().strip(), said.err().strip(),
                        change.argv().toString());
            }
            // A bridge that is not there, a VLAN's fake bridge (ovs-vsctl adds to its parent with its
            // tag), a port named as a bridge: ovs-vsctl's rules and words.
            for (Command.OvsPortChange change : java.util.List.of(add("br9", "p2", 7, Map.of("k", "v")),
                    remove("br9", "p1"), add("vlan10", "p3", 10, Map.of("k", "v")), add("br0", "br1", 7, Map.of("k", "v")),
                    remove("br0", "br1"), add("br0", "p4", 7, Map.of("k", "v")), remove("br0", "p4"),
                    remove("br0", "p5"), add("br0", "vlan10", 7, Map.of("k", "v")), remove("br0", "vlan10"))) {
                assertThrows(OvsdbPortChanges.LeftToOvsVsctl.class, () -> apply(db, change), change.argv().toString());
            }
            // ovs-vsctl refuses a port of the child bridge named by its parent, in its words.
            Sh.Result refused = db.vsctl(remove("br0", "p4").argv().subList(1, 6).toArray(String[]::new));
            assertEquals("ovs-vsctl: bridge br0 does not have a port p4 (although its child bridge vlan10 does)",
                    refused.err().strip());
            assertEquals(true, refused.code() != 0, refused.describe());
            assertEquals("p1\np7", get(db, "list-ports", "br1"));
            assertEquals("5", get(db, "get", "Port", "p1", "tag"));
            assertEquals("p6", get(db, "list-ports", "br0"));
            assertEquals("p4\np5", get(db, "list-ports", "vlan10"));
            assertEquals(cfg, get(db, "get", "Open_vSwitch", ".", "next_cfg"));

            // Ports with another tag, or with the fake bridge's tag on another bridge, are the bridge's own.
            assertEquals(new CommandResult(0, "", ""), apply(db, remove("br0", "p6")));
            assertEquals(new CommandResult(0, "", ""), apply(db, remove("br1", "p7")));
            assertEquals("", get(db, "list-ports", "br0"));
            assertEquals("p1", get(db, "list-ports", "br1"));
        }
    }

    /**
     * No switch applies the change: the wait ends at its bound with the line saying so, and an
     * addition is taken back from the database (the failed step gets no undo of its own).
     */
    @Test
    void aSwitchThatDoesNotApplyTheChangeFailsItAtTheBound() throws Exception {
        try (PrivateOvsdb db = new PrivateOvsdb(tmp.resolve("db"))) {
            db.vsctl("add-br", "br0").assertOk("add-br");
            long t0 = System.nanoTime();
            CommandResult r = OvsdbPortChanges.apply(db.socket(), add("br0", "p1", 7, Map.of("k", "v")), TIMEOUT,
                    Duration.ofMillis(300));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(new CommandResult(1, "", "Open vSwitch's switch (is ovs-vswitchd running?) did not apply"
                    + " the change within 0.3 s\n"), r);
            assertEquals(true, ms < 5_000, "took " + ms + " ms");
            assertEquals("", get(db, "list-ports", "br0"), "the addition taken back, as its undo would");

            // A run stopped by a signal meanwhile waits no longer for the switch.
            db.vsctl("add-port", "br0", "p1").assertOk("add-port");
            long t1 = System.nanoTime();
            CommandResult stopped = OvsdbPortChanges.apply(db.socket(), remove("br0", "p1"), TIMEOUT, SWITCH, () -> true);
            long stoppedMs = (System.nanoTime() - t1) / 1_000_000;
            assertEquals(new CommandResult(1, "", "stopped by a signal while Open vSwitch's switch applied the change\n"),
                    stopped);
            assertEquals(true, stoppedMs < 3_000, "took " + stoppedMs + " ms");
            assertEquals("", get(db, "list-ports", "br0"), "the removal is made");
        }
    }

    /** Nothing listens on the socket: left to the change's ovs-vsctl command. */
    @Test
    void noServerLeavesTheChangeToOvsVsctl() throws Exception {
        try (PrivateOvsdb db = new PrivateOvsdb(tmp.resolve("db"))) {
            db.stop();
            assertThrows(OvsdbPortChanges.LeftToOvsVsctl.class,
                    () -> OvsdbPortChanges.apply(db.socket(), add("br0", "p1", 7, Map.of("k", "v")), TIMEOUT, SWITCH));
        }
    }
}
