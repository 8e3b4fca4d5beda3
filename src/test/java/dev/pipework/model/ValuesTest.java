package dev.pipework.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValuesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "10.0.0.2/24, 10.0.0.255",
            "192.168.4.25/20, 192.168.15.255",
            "10.1.2.3/8, 10.255.255.255",
            "10.0.0.2/32, 10.0.0.2",
            "10.0.0.2/31, 10.0.0.3",
            "10.0.0.2/0, 255.255.255.255",
    })
    void broadcastAsBusyboxIpcalcComputesIt(String cidr, String broadcast) {
        assertEquals(broadcast, IpCidr.parse(cidr).broadcast());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "fd00:0:0:0:0:0:0:2/64, fd00::2/64",
            "FD00:1::2/64, fd00:1::2/64",
            "2001:db8:0:1:0:0:0:1/48, 2001:db8:0:1::1/48",
            "::1/128, ::1/128",
    })
    void ipv6IsPrintedCompressed(String in, String out) {
        assertEquals(out, IpCidr.parse(in).toString());
    }

    /** IPv6 as ip reads it (inet_pton) and prints it (inet_ntop), IPv4 in the last 32 bits included. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "::ffff:1.2.3.4/128, ::ffff:1.2.3.4/128",
            "::ffff:102:304/96, ::ffff:1.2.3.4/96",
            "::1.2.3.4/128, ::1.2.3.4/128",
            "::1/128, ::1/128",
            "::/0, ::/0",
            "1:2:3:4:5:6:7::/64, 1:2:3:4:5:6:7:0/64",
            "::2:3:4:5:6:7:8/64, 0:2:3:4:5:6:7:8/64",
            "1:2:3:4:5:6:1.2.3.4/64, 1:2:3:4:5:6:102:304/64",
            "1:0:0:2:0:0:0:3/64, 1:0:0:2::3/64",
            "1:0:0:2:0:0:3:4/64, 1::2:0:0:3:4/64",
    })
    void ipv6AsIpReadsAndPrintsIt(String in, String out) {
        assertEquals(out, IpCidr.parse(in).toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"::1.2.3.04/128", "::1.2.3/128", "1::2::3/64", ":1::/64", "1:::2/64", "::1:/64",
            "1:2:3:4:5:6:7:8::/64", "::1:2:3:4:5:6:7:8/64", "1:2:3:4:5:6:7:8:9/64", "12345::/64",
            "1:2:3:4:5:6:7:1.2.3.4/64", "::a1.2.3.4/128", "fe80::1%lo/64", "::١/128"})
    void ipv6ThatIpRefusesIsRefused(String cidr) {
        assertThrows(InvalidValueException.class, () -> IpCidr.parse(cidr));
    }

    @Test
    void subnetMembership() {
        IpCidr net = IpCidr.parse("192.168.100.11/24");
        assertTrue(net.contains(IpAddress.parse("192.168.100.254").bytes()));
        assertFalse(net.contains(IpAddress.parse("192.168.101.1").bytes()));
        assertFalse(net.contains(IpAddress.parse("fd00::1").bytes()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "myhost.foo.com, 02:72:6c:cd:9b:8d",
    })
    void uniqueMac(String text, String mac) {
        assertEquals(mac, MacAddress.fromUniqueText(text).text());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "26:2E:71:98:60:8F, 26:2e:71:98:60:8f",
            "2:0:0:0:0:1, 02:00:00:00:00:01",
    })
    void macIsNormalised(String in, String out) {
        assertEquals(out, MacAddress.parse(in).text());
    }

    /** Refused before any change: malformed, multicast (broadcast included) and all-zero MACs. */
    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"00:00:00:00:00:00", "0:0:0:0:0:0", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff",
            "33:33:00:00:00:01", "03:00:00:00:00:01", "02:00:00:00:00", "02:00:00:00:00:01:02", "02-00-00-00-00-01",
            "g2:00:00:00:00:01", ""})
    void macsAGuestCannotHaveAreRefused(String mac) {
        assertThrows(InvalidValueException.class, () -> MacAddress.parse(mac));
    }

    @Test
    void uniqueMacOfAnEmptyNameIsRefused() {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> MacAddress.fromUniqueText(""));
        assertTrue(e.getMessage().contains("U:"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1", "100", "4094"})
    void vlanRange(String id) {
        assertEquals(Integer.parseInt(id), Vlan.parse(id).id());
    }

    /** Numbers as ip reads them, or refused: ASCII decimal digits, no leading zero (ip takes 070 as octal). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0100", "00", "١٠٠", "１００", "+100", "100@200x", "0x64", " 100"})
    void vlanIsAsciiDecimalWithoutLeadingZeros(String id) {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Vlan.parse(id));
        assertTrue(e.getMessage().contains("\"" + id + "\""), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"10.0.0.070/24", "10.0.0.00/24", "01.2.3.4/8", "10.0.0.1/024", "10.0.0.1/00",
            "١٠.0.0.1/24", "10.0.0.1/٢٤", "10.0.0.0x1/24", "10.0.0.+1/24", "fd00::1/064", "fd00::1/１２"})
    void cidrNumbersAreAsciiDecimalWithoutLeadingZeros(String cidr) {
        assertThrows(InvalidValueException.class, () -> IpCidr.parse(cidr));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"10.0.0.0/0, 10.0.0.0/0", "0.0.0.0/0, 0.0.0.0/0", "10.0.0.70/24, 10.0.0.70/24",
            "100.200.0.1/32, 100.200.0.1/32"})
    void zeroItselfAndPlainNumbersStay(String in, String out) {
        assertEquals(out, IpCidr.parse(in).toString());
    }
}
