package dev.pipework.cli;

import dev.pipework.run.Services;
import dev.pipework.json.Json;
import dev.pipework.model.AddressSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {
    static final String FACTS = """
            {"links": {"br0": {"bridge": true}}, "ovsBridges": [], "commands": ["arping"],
             "guests": [{"token": "c1", "kind": "DOCKER", "id": "abc", "name": "/c1", "pid": 42}]}
            """;

    record Outcome(int status, String out, String err, FixtureServices.RefusingRunner runner) {
    }

    static Outcome run(String line) {
        Services services = FixtureServices.from(Json.object(Json.parse(FACTS)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        int status = new Pipework(services, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                (FixtureServices.RefusingRunner) services.runner());
    }

    /** Each bad value: exit 1, one message naming the value, nothing run. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            br0 c1 10.0.0.256/24                      | 10.0.0.256
            br0 c1 10.0.0/24                          | 10.0.0
            br0 c1 10.0.0.1.5/24                      | 10.0.0.1.5
            br0 c1 010.0.0.1x/24                      | 010.0.0.1x
            br0 c1 10.0.0.2/33                        | 33
            br0 c1 10.0.0.2/-1                        | -1
            br0 c1 10.0.0.2/                          | 10.0.0.2/
            br0 c1 fd00::1/129                        | 129
            br0 c1 fd00:::1/64                        | fd00:::1
            br0 c1 fd00::g/64                         | fd00::g
            br0 c1 10.0.0.2/24@10.0.0.300             | 10.0.0.300
            br0 c1 10.0.0.2/24@fd00::1                | fd00::1
            br0 c1 fd00::2/64@10.0.0.1                | 10.0.0.1
            br0 c1 0/0@10.0.0.1                       | 10.0.0.1
            br0 c1 10.0.0.2/24 01:00:5e:00:00:01      | 01:00:5e:00:00:01
            br0 c1 10.0.0.2/24 02:00:00:00:00         | 02:00:00:00:00
            br0 c1 10.0.0.2/24 02:00:00:00:00:0g      | 02:00:00:00:00:0g
            br0 c1 10.0.0.2/24 @0                     | 0
            br0 c1 10.0.0.2/24 @4095                  | 4095
            br0 c1 10.0.0.2/24 @abc                   | abc
            br0 c1 10.0.0.2/24 @-5                    | -5
            br0 -i eth/1 c1 10.0.0.2/24               | eth/1
            br0 -i abcdefghijklmnop c1 10.0.0.2/24    | abcdefghijklmnop
            br0 -i .. c1 10.0.0.2/24                  | ..
            br0 -l a:b c1 10.0.0.2/24                 | a:b
            br0 -i ethü c1 10.0.0.2/24                | ethü
            br0 -i eth�� c1 10.0.0.2/24               | eth��
            br0 -l vethé c1 10.0.0.2/24               | vethé
            brü c1 10.0.0.2/24                        | brü
            br� c1 10.0.0.2/24                        | br�
            br0 -a 5 c1 10.0.0.2/24                   | 5
            br0 -a inet6 c1 10.0.0.2/24               | 10.0.0.2/24
            br0 -a 4 c1 fd00::2/64                    | fd00::2/64
            mac:zz:00:00:00:00:00 c1 10.0.0.2/24      | zz:00:00:00:00:00
            abcdefghijklmnopq c1 10.0.0.2/24          | abcdefghijklmnopq
            br0 c1 10.0.0.2/24 02:00:00:00:00:01 extra | extra
            br0 c1 10.0.0.2                           | 10.0.0.2/24
            br0 c1 10.0.0.070/24                      | 10.0.0.070
            br0 c1 010.0.0.1/24                       | 010.0.0.1
            br0 c1 10.0.0.00/24                       | 10.0.0.00
            br0 c1 10.0.0.2/024                       | 024
            br0 c1 10.0.0.2/٢٤                        | ٢٤
            br0 c1 ١٠.0.0.2/24                        | ١٠.0.0.2
            br0 c1 10.0.0.2/24@10.0.0.01              | 10.0.0.01
            br0 c1 fd00::2/064                        | 064
            br0 c1 fd00::2/６４                         | ６４
            br0 c1 10.0.0.2/24 @١٠٠                   | ١٠٠
            br0 c1 10.0.0.2/24 @0100                  | 0100
            br0 c1 10.0.0.2/24 @100@200x              | 100@200x
            br0 c1 10.0.0.2/24 02:00:00:00:00:01@5@6  | 5@6
            br0 c1 10.0.0.2/24 @100@                  | 100@
            --wait -i lo --timeout NaN                | NaN
            --wait -i lo --timeout 0x1p3              | 0x1p3
            --wait -i lo --timeout 5d                 | 5d
            --wait -i lo --timeout -1                 | -1
            --wait -i lo --timeout ٣                  | ٣
            """)
    void badValueIsRefusedBeforeAnythingRuns(String line, String named) {
        Outcome o = run("--dry-run " + line.trim());
        assertEquals(1, o.status(), o.err());
        assertTrue(o.err().contains(named), "message names " + named + ": " + o.err());
        assertEquals("", o.out());
        assertTrue(o.runner().tried.isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.2/24                   | Static | 10.0.0.2/24
            10.0.0.2/24@10.0.0.1          | Static | 10.0.0.2/24@10.0.0.1
            10.0.0.2/24@10.0.0.1@junk     | Static | 10.0.0.2/24@10.0.0.1
            fd00::2/64@fd00::1            | Static | fd00::2/64@fd00::1
            0/0                           | None   | 0/0
            0.0.0.0/0                     | None   | 0/0
            dhcp                          | Dhcp   | dhcp
            dhcp:-f                       | Dhcp   | dhcp:-f
            udhcpc                        | Dhcp   | udhcpc
            udhcpc-f                      | Dhcp   | udhcpc-f
            udhcpc-f:-t 3                 | Dhcp   | udhcpc-f:-t 3
            dhclient:-v                   | Dhcp   | dhclient:-v
            dhclient-f                    | Dhcp   | dhclient-f
            dhcpcd                        | Dhcp   | dhcpcd
            """)
    void addressForms(String word, String kind, String described) {
        AddressSpec spec = RequestParser.address(word);
        assertEquals(kind, spec.getClass().getSimpleName());
        assertEquals(described, spec.describe());
    }

    @Test
    void vlanOnlyMacArgumentIsNotAnArgumentFile() {
        Outcome o = run("--dry-run br0 c1 10.0.0.2/24 @100");
        assertEquals("VLAN configuration currently unsupported for Linux bridge.\n", o.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Outcome o = run("--frobnicate br0 c1 10.0.0.2/24");
        assertEquals(1, o.status());
        assertTrue(o.err().contains("--frobnicate"), o.err());
    }

    @Test
    void containerInterfaceAndFamilyInAnyOrderBeforeTheGuest() {
        Outcome a = run("--dry-run br0 -i eth2 -a 4 c1 10.0.0.2/24");
        Outcome b = run("--dry-run br0 -a 4 -i eth2 c1 10.0.0.2/24");
        Outcome c = run("--dry-run -i eth2 br0 c1 10.0.0.2/24");
        assertEquals(0, a.status(), a.err());
        assertEquals(a.out(), b.out());
        assertEquals(a.out(), c.out());
        assertTrue(a.out().contains("name eth2"), a.out());
    }

    @Test
    void uniqueMacMatchesTheOriginalsExample() {
        Outcome o = run("--dry-run br0 c1 10.0.0.2/24 U:myhost.foo.com");
        assertTrue(o.out().contains("address 02:72:6c:cd:9b:8d"), o.out());
    }

    @Test
    void waitTimesOutWithAMessage() {
        Outcome o = run("--wait -i nosuchif0 --timeout 0.2");
        assertEquals(1, o.status());
        assertTrue(o.err().contains("nosuchif0"), o.err());
    }

    @Test
    void waitReturnsAtOnceForAnInterfaceThatIsUp() {
        // Loopback is up with carrier in every namespace.
        Outcome o = run("--wait -i lo --timeout 5");
        assertEquals(0, o.status(), o.err());
    }

    /** An interface name with a control character in it is refused on one line, the character shown escaped. */
    @Test
    void controlCharactersInANameAreShownEscaped() {
        Services services = FixtureServices.from(Json.object(Json.parse(FACTS)));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Pipework(services, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run("--dry-run", "-i", "eth\n1", "br0", "c1", "10.0.0.2/24");
        assertEquals(1, status);
        assertEquals("pipework: container interface \"eth\\x0a1\" is not a valid interface name: expected 1 to 15"
                + " printable ASCII characters, without '/', ':' or white space\n", err.toString(StandardCharsets.UTF_8));
    }

    /** A batch file that names itself, in either spelling, is refused line by line, never followed. */
    @Test
    void nestedBatchIsRefusedInEverySpelling(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("self.list");
        Files.writeString(file, "--batch=" + file + "\n-v --batch " + file + "\n--dry-run '--batch=-'\n");
        Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("--batch " + file));
        assertEquals(1, o.status(), o.err());
        assertEquals(List.of("line 1: pipework: --batch cannot be nested", "line 2: pipework: --batch cannot be nested",
                "line 3: pipework: --batch cannot be nested", "pipework: 3 of 3 lines failed (lines 1, 2, 3)"),
                o.err().lines().toList());
        assertEquals("", o.out());
        assertTrue(o.runner().tried.isEmpty());
    }

    @Test
    void factsFixtureKeysAreUnderstood() {
        assertInstanceOf(Map.class, Json.parse(FACTS));
    }

    /** A raw exception from anywhere (here: the guest resolver) is one line and exit 1; its trace only with -v. */
    @Test
    void anUnexpectedExceptionIsOneLine() {
        Services fixture = FixtureServices.from(Json.object(Json.parse(FACTS)));
        dev.pipework.guest.GuestResolver broken = new dev.pipework.guest.GuestResolver() {
            public dev.pipework.model.Guest resolve(String token, boolean running) {
                throw new IllegalStateException("unexpected \"pipework \" alias");
            }

            public java.util.List<dev.pipework.model.Guest> all() {
                throw new IllegalStateException("boom");
            }

            public void verifyUnchanged(dev.pipework.model.Guest guest) {
            }
        };
        Services services = new Services(fixture.runner(), fixture.host(), broken, fixture.guestInspector(),
                fixture.effectiveUid(), fixture.lockDir(), fixture.docker());
        for (String line : new String[] {"status c1", "del c1", "br0 c1 10.0.0.2/24", "--dry-run br0 c1 10.0.0.2/24"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = new Pipework(services, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)).run(line.split(" "));
            String text = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, status, line);
            assertEquals("pipework: unexpected \"pipework \" alias\n", text, line);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        new Pipework(services, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run("-v", "status", "c1");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("at dev.pipework."), "-v shows the trace");
    }
}
