package dev.pipework.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void udhcpcsLeaseIsRecordedFromItsVariablesEachChecked() {
        java.time.Instant now = java.time.Instant.parse("2026-12-04T16:00:00.700Z");
        String text = DhcpKeeping.udhcpcLease(java.util.Map.of("ip", "10.161.0.120", "serverid", "10.161.0.1",
                "lease", "120", "interface", "eth1"), now).orElseThrow();
        assertEquals("address=10.161.0.120\nserver=10.161.0.1\nexpires=2026-12-04T16:02:00Z\n", text);
        assertEquals(Optional.of(new DhcpKeeping.Lease("k", "udhcpc", Optional.of("10.161.0.120"),
                Optional.of("10.161.0.1"), Optional.of("2026-12-04T16:02:00Z"))), DhcpKeeping.udhcpcLeaseOf("k", text));
        // What the network sent that does not check is left out; without an address nothing is recorded.
        assertEquals("address=10.161.0.121\n", DhcpKeeping.udhcpcLease(java.util.Map.of("ip", "10.161.0.121",
                "serverid", "1.2.3.4;rm -rf /", "lease", "-5"), now).orElseThrow());
        assertEquals(Optional.empty(), DhcpKeeping.udhcpcLease(java.util.Map.of("ip", "x\nserver=1.1.1.1"), now));
        assertEquals(Optional.empty(), DhcpKeeping.udhcpcLeaseOf("k", "address=evil\nserver=10.0.0.1\n"));
        assertEquals(Optional.empty(), DhcpKeeping.udhcpcLeaseOf("k", "expires=2026-12-04T16:02:00Z\nexpires=x\n")
                .flatMap(DhcpKeeping.Lease::expires));
    }

    @Test
    void udhcpcRunsTheHookWhichStartsThisPipeworkWithoutAShell() {
        DhcpKeeping.Kept u = kept("udhcpc", 4, List.of());
        List<String> args = u.arguments();
        assertEquals(DhcpKeeping.HOOK, args.get(args.indexOf("-s") + 1), args.toString());
        List<String> self = List.of("/usr/lib/jvm/java-17/bin/java", "-XX:+UseSerialGC", "-cp", "/a b/pipework.jar",
                "dev.pipework.cli.Main");
        String arguments = "-XX:-UsePerfData\n\"-XX:+UseSerialGC\"\n\"-cp\"\n\"/a b/pipework.jar\"\n\"dev.pipework.cli.Main\"\n"
                + DhcpKeeping.HOOK_WORD + "\n";
        assertEquals(arguments, DhcpKeeping.hookArguments(self));
        // The arguments file is named by its content: a hook always names arguments written for it.
        String file = UdhcpcHook.argumentsFile(arguments);
        assertTrue(file.matches(DhcpKeeping.DIR + "/udhcpc-hook-[0-9a-f]{12}\\.args"), file);
        assertNotEquals(file, UdhcpcHook.argumentsFile(arguments.replace("/a b/", "/c/")));
        assertEquals("#!/usr/lib/jvm/java-17/bin/java @" + file + "\n", DhcpKeeping.hookText(self));
        assertTrue(DhcpKeeping.validKey(u.key()));
        assertTrue(!DhcpKeeping.validKey("../../etc/passwd") && !DhcpKeeping.validKey(null));
    }

    @Test
    void onlyTheQuietExpiredFilesOfClientsWithoutARecordAreLeftovers() {
        java.time.Instant now = java.time.Instant.parse("2026-12-04T16:00:00Z");
        java.time.Instant old = now.minus(java.time.Duration.ofHours(3));
        java.time.Instant fresh = now.minus(java.time.Duration.ofMinutes(10));
        String gone = "00000000000000aa-eth1-v4";
        String waiting = "00000000000000bb-eth1-v4";
        String live = "00000000000000cc-eth1-v4";
        String starting = "00000000000000dd-eth1-v4";
        java.util.Map<String, java.time.Instant> files = new java.util.LinkedHashMap<>();
        files.put(gone + ".leases", old);
        files.put(gone + ".conf", old);
        files.put(waiting + ".leases", old);
        files.put(live + ".record", old);
        files.put(live + ".leases", old);
        files.put(starting + ".conf", fresh);
        files.put(starting + ".leases", old);
        files.put("keeper.log", old);
        files.put(DhcpKeeping.HOOK.substring(DhcpKeeping.DIR.length() + 1), old);
        java.util.Map<String, DhcpKeeping.Lease> leases = java.util.Map.of(
                gone, new DhcpKeeping.Lease(gone, "dhclient", Optional.of("10.0.0.2"), Optional.empty(),
                        Optional.of("2026-12-04T15:00:00Z")),
                waiting, new DhcpKeeping.Lease(waiting, "dhclient", Optional.of("10.0.0.3"), Optional.empty(),
                        Optional.of("2026-12-04T17:00:00Z")),
                live, new DhcpKeeping.Lease(live, "dhclient", Optional.of("10.0.0.4"), Optional.empty(),
                        Optional.of("2026-12-04T15:00:00Z")));
        assertEquals(List.of(gone + ".conf", gone + ".leases"), DhcpKeeping.leftovers(files, k -> Optional.ofNullable(leases.get(k)), now));
        assertEquals(List.of(gone + ".conf", gone + ".leases", waiting + ".leases", starting + ".conf", starting + ".leases"),
                DhcpKeeping.leftovers(files, k -> Optional.ofNullable(leases.get(k)), now.plus(java.time.Duration.ofHours(2))));
    }

    @Test
    void argumentsTheHookDoesNotNameAndStagedFilesGoOnceQuiet() {
        java.time.Instant now = java.time.Instant.parse("2026-12-04T16:00:00Z");
        java.time.Instant old = now.minus(java.time.Duration.ofHours(3));
        String named = UdhcpcHook.argumentsFile("a\n");
        String other = UdhcpcHook.argumentsFile("b\n");
        String recent = UdhcpcHook.argumentsFile("c\n");
        String hook = "#!/usr/bin/java @" + named + "\n\n";
        java.util.Map<String, java.time.Instant> files = new java.util.LinkedHashMap<>();
        for (String f : List.of(named, other, DhcpKeeping.HOOK + ".new-123", DhcpKeeping.HOOK, "00000000000000aa-eth1-v4.leases")) {
            files.put(f.substring(DhcpKeeping.DIR.length() + 1), old);
        }
        files.put(recent.substring(DhcpKeeping.DIR.length() + 1), now.minus(java.time.Duration.ofMinutes(5)));
        assertEquals(List.of(other.substring(DhcpKeeping.DIR.length() + 1), "udhcpc-hook.new-123"),
                UdhcpcHook.staleFiles(files, Optional.of(hook), now));
    }

    @Test
    void aHookIsWrittenAgainOnlyWhenItsJavaOrArgumentsAreGoneAndOursIsThere() {
        String args = UdhcpcHook.argumentsFile("a\n");
        String hook = "#!/opt/old/bin/java @" + args + "\n\n";
        java.util.Set<String> there = new java.util.HashSet<>(List.of("/opt/old/bin/java", args, "/opt/new/bin/java"));
        assertFalse(UdhcpcHook.broken(Optional.of(hook), there::contains, "/opt/new/bin/java"), "another Java that is there");
        there.remove("/opt/old/bin/java");
        assertTrue(UdhcpcHook.broken(Optional.of(hook), there::contains, "/opt/new/bin/java"));
        assertFalse(UdhcpcHook.broken(Optional.of(hook), there::contains, "/opt/gone/bin/java"), "ours is gone too");
        there.add("/opt/old/bin/java");
        there.remove(args);
        assertTrue(UdhcpcHook.broken(Optional.of(hook), there::contains, "/opt/new/bin/java"));
        assertFalse(UdhcpcHook.broken(Optional.empty(), there::contains, "/opt/new/bin/java"), "no hook, nothing to mend");
        assertTrue(UdhcpcHook.broken(Optional.of("#!/bin/sh\nrm -rf /\n"), there::contains, "/opt/new/bin/java"));
    }

    /** The kept client's stop matches its command line by its pid file, and is read back only as exactly that. */
    @Test
    void aKeptClientIsStoppedByTheCommandLineThatNamesItsPidFile() {
        String pid = DhcpKeeping.DIR + "/0123456789abcdef-eth1.5-v4.pid";
        String d = DhcpKeeping.clientPattern("dhclient", pid);
        String u = DhcpKeeping.clientPattern("udhcpc", pid);
        java.util.regex.Pattern dp = java.util.regex.Pattern.compile(d);
        assertTrue(dp.matcher("dhclient -1 -pf " + pid + " -lf x eth1.5").matches());
        assertTrue(dp.matcher("/usr/sbin/dhclient -pf " + pid).matches());
        assertFalse(dp.matcher("dhclient -1 -pf " + pid.replace(".pid", "xpid") + " eth1").matches());
        assertFalse(dp.matcher("dhclient -pf " + pid.replace("eth1.5", "eth1x5") + " eth1").matches());
        assertFalse(dp.matcher("sshd -pf " + pid).matches());
        assertTrue(java.util.regex.Pattern.compile(u).matcher("udhcpc -i eth1.5 -p " + pid + " -n -R").matches());
        assertEquals(Optional.of(pid), DhcpKeeping.pidFileOfPattern(d));
        assertEquals(Optional.of(pid), DhcpKeeping.pidFileOfPattern(u));
        assertEquals(Optional.empty(), DhcpKeeping.pidFileOfPattern(d.replace(".pid", ".record")));
        assertEquals(Optional.empty(), DhcpKeeping.pidFileOfPattern(d + "|.*"));
        assertEquals(Optional.empty(), DhcpKeeping.pidFileOfPattern(d.replace("dhclient", "sshd")));
        assertEquals(List.of("pkill", "-x", "-f", d), DhcpKeeping.stopClient("dhclient", pid).argv());
    }
}
