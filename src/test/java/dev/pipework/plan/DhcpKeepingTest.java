package dev.pipework.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipework.model.Guest;
import dev.pipework.model.MacAddress;
import dev.pipework.model.Runtime;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The lease keeper's records, names and lease-file reading: what comes back from a file is checked. */
class DhcpKeepingTest {
    private static final Runtime DOCKER = new Runtime("docker", "Docker container", true);

    private static Guest guest(String name, int pid) {
        return new Guest(name, DOCKER, Optional.of("f".repeat(64)), Optional.of("/" + name), pid,
                "/proc/" + pid + "/ns/net", 4026531999L);
    }

    private static DhcpKeeping.Kept kept(String client, int family, List<String> options) {
        String identity = DhcpKeeping.identity(guest("web", 42), Optional.empty());
        return new DhcpKeeping.Kept(DhcpKeeping.Kept.key(identity, "eth1", family), client, family, "eth1", "web",
                options, "/proc/42/ns/net", 4026531999L, 60);
    }

    @Test
    void theIdentityIsTheNameOrTheMacNotThePid() {
        assertEquals(DhcpKeeping.identity(guest("web", 42), Optional.empty()),
                DhcpKeeping.identity(guest("web", 4242), Optional.empty()), "a restart changes the pid, not the identity");
        MacAddress mac = MacAddress.fromUniqueText("web.example.com");
        assertEquals(DhcpKeeping.identity(guest("a", 1), Optional.of(mac)), DhcpKeeping.identity(guest("b", 2), Optional.of(mac)));
        assertTrue(!DhcpKeeping.identity(guest("a", 1), Optional.empty()).equals(
                DhcpKeeping.identity(guest("b", 1), Optional.empty())));
    }

    @Test
    void aRecordReadsBackAsWritten() {
        DhcpKeeping.Kept k = kept("udhcpc", 4, List.of("-t", "3"));
        assertEquals(Optional.of(k), DhcpKeeping.Kept.parse(k.text()));
        DhcpKeeping.Kept six = kept("dhclient", 6, List.of());
        assertEquals(Optional.of(six), DhcpKeeping.Kept.parse(six.text()));
    }

    @Test
    void aRecordThatDoesNotCheckIsNone() {
        String good = kept("dhclient", 4, List.of()).text();
        for (String bad : List.of("", "key=x", good.replace("client=dhclient", "client=sh"),
                good.replace("netns=4026531999", "netns=-1"), good.replace("hostname=web", "hostname=a\";b"),
                good + "\nkey=another", good.replace("timeout=60", "timeout=0"),
                good.replace("netnsFile=/proc/42/ns/net", "netnsFile=relative"))) {
            assertEquals(Optional.empty(), DhcpKeeping.Kept.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> kept("udhcpc", 6, List.of()), "DHCPv6 is dhclient's");
    }

    @Test
    void theClientsArgumentsKeepTheirFilesUnderTheKeepersDirectory() {
        DhcpKeeping.Kept u = kept("udhcpc", 4, List.of());
        List<String> first = u.arguments();
        assertTrue(first.containsAll(List.of("-n", "-R", "-p", u.pidFile())), first.toString());
        assertTrue(!first.contains("-q"), "udhcpc must stay: " + first);
        assertTrue(u.arguments(true).contains("-b"), "started again: in the background at once");
        DhcpKeeping.Kept d = kept("dhclient", 6, List.of());
        assertEquals(List.of("-6", "-1", "-pf", d.pidFile(), "-lf", d.leaseFile(), "-cf", d.configFile(), "eth1"),
                d.arguments());
        assertTrue(d.pidFile().startsWith(DhcpKeeping.DIR + "/"));
        assertTrue(d.configuration().contains("send dhcp6.client-id 00:04:"), d.configuration());
        assertTrue(kept("dhclient", 4, List.of()).configuration().contains("send dhcp-client-identifier 00:70:69:70"));
    }

    @Test
    void theLastLeaseOfAFileIsReadAndCheckedValueByValue() {
        String text = """
                lease {
                  interface "eth1";
                  fixed-address 10.161.0.110;
                  option dhcp-server-identifier 10.161.0.1;
                  expire 5 2026/12/04 15:31:16;
                }
                lease {
                  interface "eth1";
                  fixed-address 10.161.0.111;
                  option dhcp-server-identifier 10.161.0.1;
                  expire 5 2026/12/04 15:33:16;
                }
                """;
        DhcpKeeping.Lease lease = DhcpKeeping.lastLease("k", text).orElseThrow();
        assertEquals(Optional.of("10.161.0.111"), lease.address());
        assertEquals(Optional.of("10.161.0.1"), lease.server());
        assertEquals(Optional.of("2026-12-04T15:33:16Z"), lease.expires());

        String hostile = """
                lease {
                  fixed-address 10.0.0.5;
                  option dhcp-server-identifier $(reboot);
                  expire 5 2026/12/04 15:33:16; rm -rf /;
                }
                """;
        DhcpKeeping.Lease checked = DhcpKeeping.lastLease("k", hostile).orElseThrow();
        assertEquals(Optional.of("10.0.0.5"), checked.address());
        assertEquals(Optional.empty(), checked.server());
        assertEquals(Optional.empty(), checked.expires());
        assertEquals(Optional.empty(), DhcpKeeping.lastLease("k", "lease {\n fixed-address not-an-ip;\n}\n"));

        String six = """
                lease6 {
                  interface "eth1";
                  ia-na 1a:2b:3c:4d {
                    starts 1764862000;
                    iaaddr fd61::143 {
                      starts 1764862000;
                      preferred-life 120;
                      max-life 120;
                    }
                  }
                  option dhcp6.server-id 0:1:0:1:2e:a5:97:fd:2:d5:ee:47:ea:e2;
                }
                """;
        DhcpKeeping.Lease v6 = DhcpKeeping.lastLease("k", six).orElseThrow();
        assertEquals(Optional.of("fd61::143"), v6.address());
        assertEquals(Optional.of("0:1:0:1:2e:a5:97:fd:2:d5:ee:47:ea:e2"), v6.server());
        assertEquals(Optional.of("2025-12-04T15:28:40Z"), v6.expires());
    }

    @Test
    void aHostnameThatIsNoPlainNameIsNotSent() {
        assertEquals("web", DhcpKeeping.hostname("web"));
        assertEquals("pipework", DhcpKeeping.hostname("a\"; send evil"));
    }
}
