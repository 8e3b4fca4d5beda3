package dev.pipework.it;

import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interface names that are not printable ASCII, as the jar sees them under {@code LANG=C} (where
 * this JVM decodes arguments and file names as ASCII) and under UTF-8 (where byte 0xFF becomes
 * U+FFFD): refused on one line when given, left out when read from sysfs, never a stack trace.
 * The names are made with printf(1) in a shell, so that their bytes are exact whatever the
 * locale of the JVM running the tests.
 */
class InterfaceNamesIT {
    private static final String UE = "$(printf 'eth\\303\\274')";

    /** Runs {@code script} in sh with {@code $JAVA} and {@code $JAR} set, under the given locale. */
    private static Sh.Result sh(String script, String locale) {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA", Pipework.java());
        env.put("JAR", Pipework.jar().toString());
        env.put("LANG", locale);
        env.put("LC_ALL", locale);
        env.put("LANGUAGE", null);
        return Sh.run(List.of("sh", "-c", script), Duration.ofSeconds(60), null, env);
    }

    private static void refusedOnOneLine(Sh.Result r, String named) {
        assertEquals(1, r.code(), r.describe());
        assertEquals("", r.out(), r.describe());
        assertEquals(1, r.err().lines().count(), "one line: " + r.describe());
        assertTrue(r.err().startsWith("pipework: " + named + " \""), r.describe());
        assertTrue(r.err().contains("is not a valid interface name"), r.describe());
    }

    @Test
    void underCLocaleANonAsciiContainerInterfaceIsRefused() {
        Sh.Result r = sh("exec \"$JAVA\" -jar \"$JAR\" --dry-run -i \"" + UE + "\" br1 /proc/self/ns/net 10.0.0.2/24", "C");
        refusedOnOneLine(r, "container interface");
    }

    @Test
    void underCLocaleANonAsciiHostInterfaceIsRefused() {
        Sh.Result r = sh("exec \"$JAVA\" -jar \"$JAR\" --dry-run \"" + UE + "\" /proc/self/ns/net 10.0.0.2/24", "C");
        refusedOnOneLine(r, "host interface");
    }

    @Test
    void underUtf8AByteThatIsNoCharacterIsRefused() {
        Sh.Result r = sh("exec \"$JAVA\" -jar \"$JAR\" --dry-run -l \"$(printf 'veth\\377')\" br1 /proc/self/ns/net"
                + " 10.0.0.2/24", "C.UTF-8");
        refusedOnOneLine(r, "local interface");
    }

    /** {@code mac:} looks through sysfs: a link named {@code ethü} is passed over, not mangled or fatal. */
    @Test
    void underCLocaleAHostLinkWithSuchANameIsLeftOut() {
        Prerequisites.requireRoot();
        try (TestNetns netns = new TestNetns()) {
            String ns = netns.create("names");
            Sh.Result made = sh("ip -n " + ns + " link add name \"" + UE + "\" address 02:00:00:00:5e:01 type veth"
                    + " peer name pwnp", "C");
            assertEquals(0, made.code(), made.describe());
            Sh.Result r = sh("exec ip netns exec " + ns + " \"$JAVA\" -jar \"$JAR\" --dry-run mac:02:00:00:00:5e:01"
                    + " /proc/self/ns/net 10.0.0.2/24", "C");
            assertEquals(1, r.code(), r.describe());
            assertEquals("Mac address 02:00:00:00:5e:01 specified for interface but no host interface matched.\n",
                    r.err(), r.describe());
        }
    }

    /** {@code status} reads every host link and its bridge: one attached to a bridge named {@code brü} is shown. */
    @Test
    void underCLocaleStatusToleratesABridgeWithSuchAName() {
        Prerequisites.requireRoot();
        Prerequisites.requireLinkType("bridge", "bridge");
        try (TestNetns netns = new TestNetns()) {
            String host = netns.create("nhost");
            String guest = netns.create("nguest");
            String br = "\"$(printf 'br\\303\\274')\"";
            Sh.Result made = sh("set -e; ip -n " + host + " link add name " + br + " type bridge;"
                    + " ip -n " + host + " link add name pwnh type veth peer name pwng;"
                    + " ip -n " + host + " link set pwnh master " + br + ";"
                    + " ip -n " + host + " link set pwnh alias pipework;"
                    + " ip -n " + host + " link set pwng netns " + guest + ";"
                    + " ip -n " + guest + " link set pwng name eth1", "C");
            assertEquals(0, made.code(), made.describe());
            Sh.Result r = sh("exec ip netns exec " + host + " \"$JAVA\" -jar \"$JAR\" status " + guest, "C");
            assertEquals(0, r.code(), r.describe());
            assertTrue(r.out().lines().anyMatch(l -> l.contains(guest) && l.contains("eth1") && l.contains("pwnh")),
                    r.describe());
        }
    }
}
