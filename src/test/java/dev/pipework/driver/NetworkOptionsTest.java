package dev.pipework.driver;

import dev.pipework.model.InvalidValueException;
import dev.pipework.model.MacvlanMode;
import dev.pipework.model.PipeworkException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkOptionsTest {

    @Test
    void aBridgeWithATagAndAnMtuIsTheCommandLinesAttachWithoutAnAddress() {
        NetworkOptions o = NetworkOptions.parse(Map.of("bridge", "ovs0", "vlan", "100", "mtu", "1400"));
        var request = o.request("endpoint x");
        assertEquals("ovs0", request.hostInterface());
        assertEquals(Optional.of("100"), request.tag());
        assertEquals(1400, request.mtu().orElseThrow().bytes());
        assertEquals(o, NetworkOptions.fromRecord(Map.of("options", o.toRecord())));
    }

    @Test
    void aParentWithItsMode() {
        NetworkOptions o = NetworkOptions.parse(Map.of("parent", "eth1", "macvlan_mode", "private", "dhcp", "false"));
        assertEquals(Optional.of(MacvlanMode.PRIVATE), o.request("e").macvlanMode());
        assertEquals("eth1", o.hostInterface());
    }

    @Test
    void dhcpWithItsTimeoutIsKeptInTheRecord() {
        NetworkOptions o = NetworkOptions.parse(Map.of("bridge", "br0", "dhcp", "true", "dhcp_timeout", "5"));
        assertTrue(o.dhcp());
        assertEquals(5, o.dhcpTimeout());
        assertEquals(o, NetworkOptions.fromRecord(Map.of("options", o.toRecord())));
        assertEquals(NetworkOptions.DHCP_TIMEOUT, NetworkOptions.parse(Map.of("bridge", "br0", "dhcp", "true")).dhcpTimeout());
    }

    @Test
    void eachBadOptionIsRefusedWithItsMessage() {
        assertTrue(assertThrows(PipeworkException.class, () -> NetworkOptions.parse(Map.of("bridge", "br0", "x", "1")))
                .getMessage().startsWith("unknown option \"x\""));
        assertTrue(assertThrows(PipeworkException.class, () -> NetworkOptions.parse(Map.of()))
                .getMessage().contains("needs -o bridge="));
        assertTrue(assertThrows(PipeworkException.class,
                () -> NetworkOptions.parse(Map.of("bridge", "br0", "parent", "eth0"))).getMessage().contains("not both"));
        assertThrows(InvalidValueException.class, () -> NetworkOptions.parse(Map.of("bridge", "br0", "mtu", "70000")));
        assertThrows(InvalidValueException.class, () -> NetworkOptions.parse(Map.of("bridge", "br0", "vlan", "4095")));
        assertThrows(InvalidValueException.class, () -> NetworkOptions.parse(Map.of("bridge", "a b")));
        assertThrows(InvalidValueException.class, () -> NetworkOptions.parse(Map.of("bridge", "br0", "dhcp", "yes")));
        assertThrows(InvalidValueException.class,
                () -> NetworkOptions.parse(Map.of("bridge", "br0", "dhcp", "true", "dhcp_timeout", "26")));
        assertThrows(InvalidValueException.class,
                () -> NetworkOptions.parse(Map.of("bridge", "br0", "dhcp", "true", "dhcp_timeout", "0")));
        assertTrue(assertThrows(PipeworkException.class,
                () -> NetworkOptions.parse(Map.of("bridge", "br0", "dhcp_timeout", "5"))).getMessage()
                .contains("applies to a network with -o dhcp=true"));
        assertTrue(assertThrows(PipeworkException.class,
                () -> NetworkOptions.parse(Map.of("bridge", "br0", "macvlan_mode", "vepa"))).getMessage()
                .contains("applies to a macvlan"));
    }
}
