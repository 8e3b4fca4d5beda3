package dev.pipework.plan;

import dev.pipework.model.Guest;
import dev.pipework.guest.CniRuntime;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A CNI network's DEL: on a Linux bridge, Open vSwitch's database is not asked for the container's
 * stale records; on any other host interface it is, as {@code del} asks it, and a record is stale
 * only where its link or the namespace it names is gone.
 */
class NetworkDeleteTest {
    static final String ID = "0123456789abcdef0123456789abcdef";
    static final Guest GUEST = new Guest(ID, CniRuntime.RUNTIME, Optional.of(ID), Optional.empty(), 0, "", 0);

    final Planner planner = new Planner();

    /** A host whose {@code name} is a link of this kind, and whose switch holds one stale port of the container. */
    static MachineView view(String name, boolean linuxBridge, List<String> asked) {
        OvsPort stale = new OvsPort("veth0pl4242", "ovs0", Optional.empty(),
                Map.of(OvsPort.CONTAINER_ID, ID, "pipework.interface", "eth0"));
        return new EmptyMachine() {
            public Optional<LinkFacts> link(String link) {
                return link.equals(name) ? Optional.of(new LinkFacts(name, 1, 1500, true, linuxBridge, "02:00:00:00:00:09"))
                        : Optional.empty();
            }

            public List<OvsPort> ovsPortsOfContainer(String containerId) {
                asked.add(containerId);
                return List.of(stale);
            }
        };
    }

    @Test
    void onALinuxBridgeTheSwitchIsNotAsked() {
        List<String> asked = new ArrayList<>();
        Plan plan = planner.planNetworkDelete(Optional.of(GUEST), ID, "eth0", "br0", view("br0", true, asked));
        assertEquals(List.of(), plan.steps());
        assertEquals(List.of(), asked);
    }

    /**
     * A guest without a PID (a CNI runtime's), its namespace there: the records of its other
     * networks' ports, whose links are there and which name its namespace, are not stale, and stay.
     */
    @Test
    void theLivePortsOfAGuestWithoutAPidAreNotStale() {
        Guest live = new Guest(ID, CniRuntime.RUNTIME, Optional.of(ID), Optional.empty(), 0, "/var/run/netns/c", 4242);
        OvsPort other = new OvsPort("v1a2b3c4d5epl", "ovs2", Optional.empty(),
                Map.of(OvsPort.CONTAINER_ID, ID, "pipework.interface", "v1a2b3c4d5epl", "pipework.nspid", "4242"));
        OvsPort gone = new OvsPort("v9f8e7d6c5bpl", "ovs2", Optional.empty(),
                Map.of(OvsPort.CONTAINER_ID, ID, "pipework.interface", "v9f8e7d6c5bpl", "pipework.nspid", "4241"));
        MachineView view = new EmptyMachine() {
            public Optional<LinkFacts> link(String link) {
                return link.equals("ovs1") ? Optional.of(new LinkFacts(link, 1, 1500, true, false, "02:00:00:00:00:09"))
                        : Optional.empty();
            }

            public List<OvsPort> ovsPortsOfContainer(String containerId) {
                return List.of(other, gone);
            }

            public boolean hostLinkExists(String name) {
                return name.equals(other.name());
            }
        };
        assertEquals(List.of(), planner.planNetworkDelete(Optional.of(live), ID, "eth0", "ovs1", view).steps());
        // With no namespace left, every record of the container is stale.
        assertEquals(List.of(new OvsSteps.RemoveOvsPort("ovs2", other.name()), new OvsSteps.RemoveOvsPort("ovs2", gone.name())),
                planner.planNetworkDelete(Optional.of(GUEST), ID, "eth0", "ovs1", view).steps());
    }

    @Test
    void onAnotherHostInterfaceTheSwitchIsAsked() {
        for (String name : List.of("ovs0", "gone")) {
            List<String> asked = new ArrayList<>();
            Plan plan = planner.planNetworkDelete(Optional.of(GUEST), ID, "eth0", name,
                    view(name.equals("gone") ? "elsewhere" : name, false, asked));
            assertEquals(List.of(new OvsSteps.RemoveOvsPort("ovs0", "veth0pl4242")), plan.steps(), name);
            assertEquals(List.of(ID), asked.stream().distinct().toList(), name);
        }
    }
}
