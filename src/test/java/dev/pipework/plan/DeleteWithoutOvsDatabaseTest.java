package dev.pipework.plan;

import dev.pipework.model.PipeworkException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code del} while Open vSwitch's database does not answer: a veth off any Linux bridge (a port
 * the database would show) is refused with the database's line, so that its link does not go
 * without its port record; a Linux bridge's port is removed as ever.
 */
class DeleteWithoutOvsDatabaseTest {
    static final String DOWN = "Open vSwitch's database does not answer (is ovsdb-server running?): unix:/x/db.sock:"
            + " database connection failed (No such file or directory)";

    final Planner planner = new Planner();

    static MachineView view(Optional<String> master, boolean linuxBridge) {
        GuestLink eth1 = new GuestLink("eth1", 7, "veth", "", Optional.of(20), true, "02:00:00:00:00:01", 1500, "UP",
                List.of("10.0.0.2/24"));
        HostLink end = new HostLink("v6ccad06ae3pl", 20, 7, master, linuxBridge, Alias.HOST_END);
        return new EmptyMachine() {
            public Optional<LinkFacts> link(String name) {
                throw new AssertionError("unexpected question: link " + name);
            }

            public Optional<String> linkWithMac(String mac) {
                throw new AssertionError("unexpected question: linkWithMac");
            }

            public boolean ovsBridge(String name) {
                throw new AssertionError("unexpected question: ovsBridge " + name);
            }

            public List<String> vxlanFloods(String device) {
                throw new AssertionError("unexpected question: vxlanFloods " + device);
            }

            public Map<Integer, HostLink> hostLinks() {
                return Map.of(20, end);
            }

            public Optional<String> ovsDatabaseDown() {
                return Optional.of(DOWN);
            }

            public List<GuestLink> guestLinks(String netnsPath, String guest) {
                return List.of(eth1);
            }

        };
    }

    @Test
    void aPortTheDatabaseCannotConfirmIsRefused() {
        PipeworkException e = assertThrows(PipeworkException.class, () -> planner.planDelete(
                Optional.of(GuestTrustTest.GUEST), "g1", Optional.of("eth1"), view(Optional.empty(), false)));
        assertEquals(DOWN, e.getMessage());
        assertEquals(1, e.exitStatus());
    }

    @Test
    void aLinuxBridgesPortIsRemovedAsEver() {
        List<Step> steps = planner.planDelete(Optional.of(GuestTrustTest.GUEST), "g1", Optional.of("eth1"),
                view(Optional.of("br0"), true)).steps();
        assertEquals(List.of(new LinkSteps.DeleteLink(dev.pipework.sys.Where.HOST, "v6ccad06ae3pl")), steps);
    }
}
