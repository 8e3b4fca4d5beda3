package dev.pipework.driver;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void theClientsAreNamedAfterTheEndpoint() {
        String id = "0123456789abcdef".repeat(4);
        assertEquals("0123456789abcdef-pwg0123456789ab-v4", DhcpEndpoints.first(id, "pwg0123456789ab", 5, 4026531840L).key());
        assertEquals("0123456789abcdef-eth1-v4", DhcpEndpoints.kept(id, "eth1", 5, "/var/run/docker/netns/x", 9).key());
        assertEquals("docker-0123456789ab", DhcpEndpoints.kept(id, "eth1", 5, "/var/run/docker/netns/x", 9).hostname());
    }
}
