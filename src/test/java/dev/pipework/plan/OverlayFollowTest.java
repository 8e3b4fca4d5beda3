package dev.pipework.plan;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An overlay that follows etcd brought to the peers registered: what is added, removed, ignored. */
class OverlayFollowTest {
    private static final String SETTINGS = "vni 42 underlay eth0 local 192.0.2.1 peers etcd mtu 1450";

    /** A host with the Linux bridge br42 of an etcd overlay (its VXLAN device flooding to {@code floods}) and Open vSwitch's ovs42. */
    private record Host(List<String> floods, Map<String, OvsPort> ports) implements EmptyMachine {
        public Optional<LinkFacts> link(String name) {
            return Optional.empty();
        }

        public boolean ovsBridge(String name) {
            return name.equals("ovs42");
        }

        public List<String> vxlanFloods(String device) {
            assertEquals("vx-br42", device);
            return floods;
        }

        public Map<Integer, HostLink> hostLinks() {
            return Map.of(3, new HostLink("br42", 3, 3, Optional.empty(), false, "pipework overlay " + SETTINGS),
                    4, new HostLink("vx-br42", 4, 4, Optional.of("br42"), true, ""));
        }

        public Map<String, OvsPort> ovsPorts() {
            return ports;
        }

    }

    private static List<String> commands(Plan plan) {
        return plan.steps().stream().map(s -> String.join(" ", s.command().argv())).toList();
    }

    @Test
    void kernelEntriesFollowTheRegistrationsAndUntrustedValuesAreLeftOut() {
        Map<String, String> registered = new LinkedHashMap<>();
        registered.put("h2", "192.0.2.2");
        registered.put("h4", "192.0.2.4");
        registered.put("v6", "2001:db8::4");
        registered.put("junk", "192.0.2.9; rm -rf /\u001b[2J");
        registered.put("me", "192.0.2.1");
        Plan plan = new Planner().planOverlayPeers("br42", registered, new Host(List.of("192.0.2.2", "192.0.2.3"),
                Map.of()));
        assertEquals(List.of("bridge fdb del 00:00:00:00:00:00 dev vx-br42 dst 192.0.2.3",
                "bridge fdb append 00:00:00:00:00:00 dev vx-br42 dst 192.0.2.4"), commands(plan));
        assertEquals(3, plan.notices().size(), plan.notices().toString());
        assertTrue(plan.notices().get(0).contains("host \"junk\" registered \"192.0.2.9; rm -rf /?[2J\", which is not an"
                + " IPv4 address"), plan.notices().get(0));
        assertTrue(plan.notices().get(1).endsWith("host \"me\" registered \"192.0.2.1\", which is this host's own address"));
        assertTrue(plan.notices().get(2).contains("host \"v6\" registered \"2001:db8::4\", which is not an IPv4 address"));
        assertEquals(List.of(), new Planner().planOverlayPeers("br42", Map.of("h2", "192.0.2.2"),
                new Host(List.of("192.0.2.2"), Map.of())).steps(), "in place: nothing to do");
        assertEquals(List.of(), new Planner().planOverlayPeers("br9", registered, new Host(List.of(), Map.of())).steps(),
                "no such overlay: nothing");
    }

    @Test
    void addressesNoPeerCanHaveAreLeftOut() {
        Map<String, String> registered = new LinkedHashMap<>();
        for (String bad : List.of("0.0.0.0", "127.0.0.1", "169.254.1.1", "224.0.0.1", "255.255.255.255")) {
            registered.put("h-" + bad, bad);
        }
        registered.put("h4", "192.0.2.4");
        Plan plan = new Planner().planOverlayPeers("br42", registered, new Host(List.of(), Map.of()));
        assertEquals(List.of("bridge fdb append 00:00:00:00:00:00 dev vx-br42 dst 192.0.2.4"), commands(plan));
        assertEquals(5, plan.notices().size(), plan.notices().toString());
        assertTrue(plan.notices().stream().allMatch(n -> n.endsWith("which is not a unicast address another host can have")),
                plan.notices().toString());
    }

    @Test
    void openVswitchTunnelPortsFollowTheRegistrations() {
        String mark = "vni 42 underlay eth0 local 192.0.2.1 peers etcd mtu 1450";
        String stale = Overlay.tunnelPort("ovs42", "192.0.2.3");
        Map<String, OvsPort> ports = Map.of(
                "ovs42", new OvsPort("ovs42", "ovs42", Optional.empty(), Map.of("pipework.overlay", mark)),
                stale, new OvsPort(stale, "ovs42", Optional.empty(), Map.of("pipework.overlay", mark,
                        "pipework.peer", "192.0.2.3")));
        Plan plan = new Planner().planOverlayPeers("ovs42", Map.of("h2", "192.0.2.2"), new Host(List.of(), ports));
        List<String> commands = commands(plan);
        assertEquals(2, commands.size(), commands.toString());
        assertEquals("ovs-vsctl --timeout=30 --if-exists del-port ovs42 " + stale, commands.get(0));
        assertTrue(commands.get(1).startsWith("ovs-vsctl --timeout=30 add-port ovs42 " + Overlay.tunnelPort("ovs42",
                "192.0.2.2")) && commands.get(1).contains("options:remote_ip=192.0.2.2 options:key=42"), commands.get(1));
        Overlay found = Overlay.all(new Host(List.of(), ports)).stream().filter(o -> o.bridge().equals("ovs42"))
                .findFirst().orElseThrow();
        assertTrue(found.etcd() && found.tunnels().equals(List.of(stale)), found.toString());
    }
}
