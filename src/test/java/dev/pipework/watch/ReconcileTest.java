package dev.pipework.watch;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.Guest;
import dev.pipework.model.IpCidr;
import dev.pipework.model.MacAddress;
import dev.pipework.model.Runtime;
import dev.pipework.plan.AttachKind;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.HostTarget;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reconcile decision: missing, the same, or different, and what differs. */
class ReconcileTest {
    private static final Guest WEB = new Guest("web", new Runtime("docker", "Docker container", true),
            Optional.of("abc"), Optional.of("/web"), 42, "/proc/42/ns/net", 7);
    private static final HostTarget OVS0 = new HostTarget(HostTarget.Kind.OVS_BRIDGE, "ovs0", true, 1500, true);
    private static final HostTarget BR1 = new HostTarget(HostTarget.Kind.LINUX_BRIDGE, "br1", true, 1500, true);

    private static AttachRequest request(String host, Optional<String> cif, String cidr, Optional<String> mac,
                                         Optional<String> tag) {
        return AttachRequest.on(host, "web").containerInterface(cif)
                .address(new AddressSpec.Static(IpCidr.parse(cidr), Optional.empty())).mac(mac.map(MacAddress::parse))
                .tag(tag).build();
    }

    private static Attachment ovs(String cif, String address, String mac, Optional<Integer> vlan, String bridge) {
        return new Attachment(WEB, cif, mac, 1500, "UP", List.of(address), Optional.of("v" + cif + "pl42"),
                Optional.of(bridge), AttachKind.OVS, vlan, Optional.empty());
    }

    @Test
    void missingWhenNoAttachmentHasTheInterface() {
        AttachRequest r = request("ovs0", Optional.of("eth2"), "10.0.0.5/24", Optional.empty(), Optional.of("100"));
        List<Attachment> there = List.of(ovs("eth1", "10.0.0.5/24", "02:00:00:00:00:01", Optional.of(100), "ovs0"));
        assertEquals(new Reconcile.Missing("eth2"), Reconcile.decide(r, OVS0, there));
        assertTrue(Reconcile.surelyMissing(r, there));
        assertFalse(Reconcile.surelyMissing(request("ovs0", Optional.empty(), "10.0.0.5/24", Optional.empty(),
                Optional.empty()), there));
    }

    @Test
    void sameWhenBridgeAddressMacAndVlanAreAsDeclared() {
        AttachRequest r = request("ovs0", Optional.empty(), "10.0.0.5/24", Optional.of("02:AA:00:00:00:01"),
                Optional.of("100"));
        List<Attachment> there = List.of(ovs("eth1", "10.0.0.5/24", "02:aa:00:00:00:01", Optional.of(100), "ovs0"));
        assertEquals(new Reconcile.Same("eth1"), Reconcile.decide(r, OVS0, there));
    }

    @Test
    void differentNamesEachDifference() {
        AttachRequest r = request("ovs0", Optional.empty(), "10.0.0.5/24", Optional.of("02:aa:00:00:00:01"),
                Optional.of("100"));
        Reconcile.Decision d = Reconcile.decide(r, OVS0,
                List.of(ovs("eth1", "10.0.0.6/24", "02:bb:00:00:00:01", Optional.of(200), "ovs0")));
        assertEquals(new Reconcile.Different("eth1", List.of("addresses are 10.0.0.6/24, declared 10.0.0.5/24",
                "MAC is 02:bb:00:00:00:01, declared 02:aa:00:00:00:01", "VLAN is 200, declared 100")), d);
        Reconcile.Decision bridge = Reconcile.decide(r, OVS0,
                List.of(ovs("eth1", "10.0.0.5/24", "02:aa:00:00:00:01", Optional.of(100), "ovs1")));
        assertEquals(new Reconcile.Different("eth1", List.of("bridge is ovs1, declared ovs0")), bridge);
        Reconcile.Decision untagged = Reconcile.decide(request("ovs0", Optional.empty(), "10.0.0.5/24",
                Optional.empty(), Optional.empty()), OVS0,
                List.of(ovs("eth1", "10.0.0.5/24", "02:aa:00:00:00:01", Optional.of(100), "ovs0")));
        assertEquals(new Reconcile.Different("eth1", List.of("VLAN is 100, declared none")), untagged);
    }

    @Test
    void aLinuxBridgeDeclarationAgainstAnOvsAttachmentDiffersInKind() {
        AttachRequest r = request("br1", Optional.empty(), "10.0.0.5/24", Optional.empty(), Optional.empty());
        Reconcile.Decision d = Reconcile.decide(r, BR1,
                List.of(ovs("eth1", "10.0.0.5/24", "02:aa:00:00:00:01", Optional.empty(), "ovs0")));
        assertEquals(new Reconcile.Different("eth1", List.of("kind is ovs, declared linux")), d);
    }

    @Test
    void anIpv6AddressIsComparedAsAnAddress() {
        AttachRequest r = request("br1", Optional.empty(), "fd00:1:0:0::10/64", Optional.empty(), Optional.empty());
        Attachment a = new Attachment(WEB, "eth1", "02:aa:00:00:00:01", 1500, "UP", List.of("fd00:1::10/64"),
                Optional.of("veth1pl42"), Optional.of("br1"), AttachKind.LINUX, Optional.empty(), Optional.empty());
        assertEquals(new Reconcile.Same("eth1"), Reconcile.decide(r, BR1, List.of(a)));
    }
}
