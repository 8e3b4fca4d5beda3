package dev.pipework.plan;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.PipeworkException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Docker network driver's plans, against a machine described here. */
class DriverPlansTest {
    private static final String EP = "0123456789abcdef".repeat(4);

    /** A host with these links (name to type), these Open vSwitch bridges and ports, no kernel datapath. */
    private record Host(Map<String, Integer> links, List<String> ovsBridges, Map<String, OvsPort> ports)
            implements EmptyMachine {
        public Optional<LinkFacts> link(String name) {
            return Optional.ofNullable(links.get(name)).map(t -> new LinkFacts(name, t, 1500, true,
                    name.startsWith("br"), "02:00:00:00:00:01"));
        }

        public boolean ovsBridge(String name) {
            return ovsBridges.contains(name);
        }

        public Map<String, OvsPort> ovsPorts() {
            return ports;
        }

    }

    private static List<String> lines(Plan plan) {
        return plan.steps().stream().map(s -> String.join(" ", s.argv())).toList();
    }

    @Test
    void anOvsEndpointIsTheAttachWithoutItsGuestHalf() {
        Host host = new Host(Map.of("ovs1", 1), List.of("ovs1"), Map.of());
        AttachRequest request = AttachRequest.on("ovs1", "endpoint").tag(Optional.of("100")).build();
        HostTarget target = new Planner().hostTarget(request, host);
        List<String> steps = lines(DriverPlans.endpoint(request, target, "feedbeef0000", EP, "sandbox1", host));
        assertEquals(4, steps.size(), steps.toString());
        assertEquals("ip link add name pwh0123456789ab mtu 1500 type veth peer name pwg0123456789ab mtu 1500",
                steps.get(0));
        assertTrue(steps.get(1).contains("add-port ovs1 pwh0123456789ab tag=100") && steps.get(1).contains(
                "external-ids:pipework.endpoint=" + EP) && steps.get(1).contains("external-ids:pipework.sandbox=sandbox1"),
                steps.get(1));
        assertEquals("ip link set dev pwh0123456789ab alias pipework", steps.get(2));
        assertEquals("ip link set dev pwh0123456789ab up", steps.get(3));
        assertEquals("pwg0123456789ab", DriverPlans.engineLink(target, EP));
        assertTrue(DriverPlans.isDriverHostEnd("pwh0123456789ab"));
    }

    @Test
    void aMacvlanEndpointIsMarkedAsTheCommandLinesAndLeftOnTheHost() {
        Host host = new Host(Map.of("eth9", 1), List.of(), Map.of());
        AttachRequest request = AttachRequest.on("eth9", "endpoint").build();
        HostTarget target = new Planner().hostTarget(request, host);
        assertEquals(List.of("ip link add link eth9 dev pwm0123456789ab mtu 1500 type macvlan mode bridge",
                        "ip link set dev pwm0123456789ab alias pipework macvlan eth9"),
                lines(DriverPlans.endpoint(request, target, "n", EP, "s", host)));
    }

    @Test
    void aNetworkMakesAMissingBridgeAndItsRemovalWaitsForTheLastPort() {
        Host empty = new Host(Map.of(), List.of(), Map.of());
        AttachRequest request = AttachRequest.on("ovs7", "network").build();
        HostTarget missing = new Planner().hostTarget(request, empty);
        assertEquals(List.of("ovs-vsctl --timeout=20 add-br ovs7 -- set bridge ovs7 datapath_type=netdev",
                "ip link set dev ovs7 up"), lines(DriverPlans.network(request, missing, empty)).stream()
                .map(l -> l.replaceAll("--timeout=[0-9]+", "--timeout=20")).toList());
        Map<String, OvsPort> ports = new HashMap<>();
        ports.put("ovs7", new OvsPort("ovs7", "ovs7", Optional.empty(), Map.of()));
        Host made = new Host(Map.of("ovs7", 1), List.of("ovs7"), ports);
        HostTarget there = new Planner().hostTarget(request, made);
        assertEquals(1, DriverPlans.networkRemoval(there, made).steps().size(), "its own port is no other's");
        ports.put("pwh0123456789ab", new OvsPort("pwh0123456789ab", "ovs7", Optional.empty(), Map.of()));
        assertEquals(List.of(), DriverPlans.networkRemoval(there, made).steps());
    }

    @Test
    void anEndpointsRemovalTakesWhatIsThereAndNoMore() {
        Map<String, OvsPort> ports = Map.of("pwh0123456789ab",
                new OvsPort("pwh0123456789ab", "ovs1", Optional.of(100), Map.of()));
        Host plumbed = new Host(Map.of("pwh0123456789ab", 1, "pwg0123456789ab", 1), List.of("ovs1"), ports);
        assertEquals(2, DriverPlans.endpointRemoval(Optional.of("ovs1"), EP, plumbed).steps().size(),
                "the port and the host end, which takes its peer with it");
        Host gone = new Host(Map.of(), List.of("ovs1"), Map.of());
        assertEquals(List.of(), DriverPlans.endpointRemoval(Optional.of("ovs1"), EP, gone).steps());
    }

    @Test
    void aLoopbackOrADummyIsNoNetworksParent() {
        Host host = new Host(Map.of("lo", 772), List.of(), Map.of());
        AttachRequest lo = AttachRequest.on("lo", "network").build();
        assertTrue(assertThrows(PipeworkException.class, () -> DriverPlans.network(lo,
                new Planner().hostTarget(lo, host), host)).getMessage().contains("not an Ethernet interface"));
        AttachRequest dummy = AttachRequest.on("dummy3", "network").build();
        assertThrows(PipeworkException.class, () -> DriverPlans.network(dummy,
                new Planner().hostTarget(dummy, host), host));
    }
}
