package dev.pipework.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.InvalidValueException;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The DHCP words of the address argument: the original's, and dhcp6 and slaac beside them. */
class DhcpWordsTest {

    @Test
    void theOriginalsWordsAreReadAsBefore() {
        assertEquals(new AddressSpec.Dhcp("dhcp", false, "-f"), RequestParser.address("dhcp:-f"));
        assertEquals(new AddressSpec.Dhcp("udhcpc", true, "-t 3"), RequestParser.address("udhcpc-f:-t 3"));
        assertEquals(new AddressSpec.Dhcp("dhclient", false, ""), RequestParser.address("dhclient"));
        assertEquals(new AddressSpec.Dhcp("dhcpcd", false, ""), RequestParser.address("dhcpcd"));
    }

    @Test
    void ipv6WordsStandAloneOrAfterAHostClient() {
        assertEquals(new AddressSpec.Dhcp(AddressSpec.Dhcp.NO_CLIENT, false, "", Optional.empty(),
                Optional.of(AddressSpec.Ipv6Mode.SLAAC)), RequestParser.address("slaac"));
        AddressSpec.Dhcp dual = (AddressSpec.Dhcp) RequestParser.address("dhclient:-v,dhcp6");
        assertEquals("dhclient", dual.client());
        assertEquals("-v", dual.options());
        assertEquals(Optional.of(AddressSpec.Ipv6Mode.DHCP6), dual.ipv6());
        assertEquals("dhclient:-v,dhcp6", dual.describe());
        assertEquals(Optional.of(AddressSpec.Ipv6Mode.SLAAC), ((AddressSpec.Dhcp) RequestParser.address("udhcpc,slaac")).ipv6());
    }

    @Test
    void ipv6WordsGoWithNoOtherAddress() {
        assertThrows(InvalidValueException.class, () -> RequestParser.address("dhcp,slaac"));
        assertThrows(InvalidValueException.class, () -> RequestParser.address("10.0.0.5/24,slaac"));
        assertThrows(InvalidValueException.class, () -> new AddressSpec.Dhcp("dhclient", false, "", Optional.of(0),
                Optional.empty()));
    }
}
