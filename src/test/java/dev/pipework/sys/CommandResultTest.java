package dev.pipework.sys;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A command's complaint as the user reads it. */
class CommandResultTest {
    @Test
    void ovsVsctlThatCannotReachItsDatabaseNamesIt() {
        CommandResult down = new CommandResult(1, "", "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection"
                + " failed (No such file or directory)\n");
        String line = "Open vSwitch's database does not answer (is ovsdb-server running?): unix:/var/run/openvswitch/db.sock:"
                + " database connection failed (No such file or directory)";
        assertEquals(Optional.of(line), down.ovsDatabaseDown());
        assertEquals(line, down.reason());
    }

    @Test
    void otherComplaintsAreTheirOwn() {
        CommandResult noBridge = new CommandResult(1, "", "ovs-vsctl: no bridge named br9\n");
        assertEquals(Optional.empty(), noBridge.ovsDatabaseDown());
        assertEquals("ovs-vsctl: no bridge named br9", noBridge.reason());
        assertEquals(Optional.empty(), new CommandResult(2, "", "").ovsDatabaseDown());
    }
}
