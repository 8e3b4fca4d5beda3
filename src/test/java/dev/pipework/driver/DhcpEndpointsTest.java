package dev.pipework.driver;

import dev.pipework.model.MacAddress;
import dev.pipework.plan.DhcpKeeping;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DhcpEndpointsTest {
    private static final String LEASES = String.join("\n",
            "lease {", "  interface \"pwg0123456789ab\";", "  fixed-address 10.1.2.3;", "  option subnet-mask 255.255.254.0;",
            "  option routers 10.1.2.1;", "  expire 5 2026/12/04 18:20:00;", "}",
            "lease {", "  interface \"pwg0123456789ab\";", "  fixed-address 10.1.2.9;", "  option subnet-mask 255.255.255.0;",
            "  option routers 10.1.2.254,10.1.2.253;", "}", "");

    @Test
    void theLastLeaseGivesTheAddressWithItsPrefixAndTheFirstRouter() {
        DhcpEndpoints.Lease lease = DhcpEndpoints.parse(LEASES).orElseThrow();
        assertEquals("10.1.2.9/24", lease.address());
        assertEquals(Optional.of("10.1.2.254"), lease.gateway());
        assertTrue(lease.leases().startsWith("lease {") && !lease.leases().contains("10.1.2.3"), lease.leases());
    }

    @Test
    void aLeaseWithoutAMaskOrAnAddressIsNone() {
        assertTrue(DhcpEndpoints.parse("lease {\n  fixed-address 10.1.2.9;\n}\n").isEmpty());
        assertTrue(DhcpEndpoints.parse("").isEmpty());
        assertTrue(DhcpEndpoints.parse("lease {\n option subnet-mask 255.255.255.0;\n}").isEmpty());
    }

    @Test
    void withoutARouterNoGateway() {
        assertEquals(Optional.empty(), DhcpEndpoints.parse("lease {\n fixed-address 10.0.0.5;\n option subnet-mask 255.0.0.0;\n}")
                .orElseThrow().gateway());
    }

    @Test
    void withoutADhcpIdOrMacTheClientsAreNamedAfterTheEndpoint() {
        String id = "0123456789abcdef".repeat(4);
        DhcpEndpoints.Identity own = DhcpEndpoints.Identity.of(id, Optional.empty(), Optional.empty());
        assertEquals("0123456789abcdef-pwg0123456789ab-v4", DhcpEndpoints.first(own, "pwg0123456789ab", 5, 4026531840L).key());
        assertEquals("0123456789abcdef-eth1-v4", DhcpEndpoints.kept(own, "eth1", 5, "/var/run/docker/netns/x", 9).key());
        assertEquals("docker-0123456789ab", DhcpEndpoints.kept(own, "eth1", 5, "/var/run/docker/netns/x", 9).hostname());
    }

    @Test
    void aDhcpIdIsTheCommandLinesUFormAndTheSameForEveryEndpoint() {
        String a = "0123456789abcdef".repeat(4);
        String b = "fedcba9876543210".repeat(4);
        DhcpEndpoints.Identity first = DhcpEndpoints.Identity.of(a, Optional.of("web"), Optional.empty());
        assertEquals(first, DhcpEndpoints.Identity.of(b, Optional.of("web"), Optional.empty()));
        assertEquals("web", first.hostname());
        // pipework eth1 web U:web dhcp: the same MAC, so the same identity and client ID.
        assertEquals(DhcpKeeping.identityOfMac(MacAddress.fromUniqueText("web")), first.key());
        assertNotEquals(first, DhcpEndpoints.Identity.of(a, Optional.of("db"), Optional.empty()));
    }

    @Test
    void aGivenMacIsTheIdentity() {
        MacAddress mac = MacAddress.parse("02:aa:bb:cc:dd:ee");
        DhcpEndpoints.Identity a = DhcpEndpoints.Identity.of("0123456789abcdef".repeat(4), Optional.empty(), Optional.of(mac));
        DhcpEndpoints.Identity b = DhcpEndpoints.Identity.of("fedcba9876543210".repeat(4), Optional.empty(), Optional.of(mac));
        assertEquals(a.key(), b.key());
        assertEquals(DhcpKeeping.identityOfMac(mac), a.key());
    }

    @Test
    void theIdentityKeptInTheRecordIsReadBackAndADamagedOneIsTheEndpoints() {
        String id = "0123456789abcdef".repeat(4);
        DhcpEndpoints.Identity web = DhcpEndpoints.Identity.of(id, Optional.of("web"), Optional.empty());
        Map<String, Object> record = new HashMap<>();
        web.record(record);
        assertEquals(web, DhcpEndpoints.Identity.fromRecord(id, record));
        record.put("dhcp_hostname", "web;rm -rf /");
        assertEquals(DhcpEndpoints.Identity.of(id, Optional.empty(), Optional.empty()), DhcpEndpoints.Identity.fromRecord(id, record));
        assertEquals(DhcpEndpoints.Identity.of(id, Optional.empty(), Optional.empty()), DhcpEndpoints.Identity.fromRecord(id, Map.of()));
    }
}
