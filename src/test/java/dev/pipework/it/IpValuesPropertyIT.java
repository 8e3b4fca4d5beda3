package dev.pipework.it;

import dev.pipework.it.support.Gen;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.Tries;
import dev.pipework.json.Json;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpCidr;
import dev.pipework.model.MacAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The value parsers against iproute2 itself: generated addresses with prefixes (IPv4 and IPv6,
 * valid and near-valid) and MACs are given to {@code ip} in a scratch namespace of their own
 * ({@code ip addr add} on its {@code lo}, {@code ip link set address} on a veth end) and read
 * back with {@code ip -j}, and to {@link IpCidr#parse} and {@link MacAddress#parse}.
 *
 * <p>Where this tool's rule is stricter than {@code ip}, the property states the documented rule,
 * not a looser one: this tool accepts a value exactly when {@code ip} parses it <em>and</em> the
 * rule holds, and then means what {@code ip} means by it (the kernel's read-back is compared with
 * this tool's normal form). The rules, written here independently of the parsers:
 * <ul>
 * <li>IPv4: four ASCII decimal numbers 0-255 without leading zeros ({@code ip} reads {@code 070}
 * as octal and {@code 0x10} as hexadecimal, takes fewer than four numbers, a sign, blanks),
 * then a prefix length;</li>
 * <li>IPv6: hexadecimal digits, colons and dots only, as {@code ip} (inet_pton) reads them,
 * then a prefix length;</li>
 * <li>the prefix length: mandatory, ASCII decimal without leading zeros, up to 32 or 128
 * ({@code ip} also takes none, octal, hexadecimal and a dotted netmask);</li>
 * <li>a MAC for the guest: six groups of one or two hexadecimal digits separated by colons,
 * unicast ({@code ip} also takes {@code 0x}, signs, blanks and trailing junk in a group).</li>
 * </ul>
 * Parse refusals of {@code ip} (exit status 1) are told from the kernel's (exit status 2), which
 * say nothing about parsing. Needs root; outside CI it is skipped without, under CI it fails.
 * About 550 tries, two {@code ip} processes at most each: a few seconds. The tries come from one
 * seed per run ({@link Tries}): a failure prints it, {@code -Dpipework.seed=} replays it.
 */
@ExtendWith(Tries.class)
class IpValuesPropertyIT {
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern DEC = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final String VETH = "pwpa";

    private static String ns;

    @BeforeAll
    static void scratchNamespace() {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("ip");
        ns = "pw-prop-" + HostCleanup.uniqueSuffix();
        Sh.ok("ip", "netns", "add", ns);
        // This kernel may have no dummy module: lo (left down) takes the addresses, a veth end the MACs.
        Sh.ok("ip", "-n", ns, "link", "add", "name", VETH, "type", "veth", "peer", "name", "pwpb");
    }

    @AfterAll
    static void removeNamespace() {
        if (ns != null) {
            Sh.run("ip", "netns", "del", ns);
        }
    }

    // ------------------------------------------------------------------ the properties

    @ParameterizedTest(name = "try {index}: \"{0}\"")
    @MethodSource("ipv4Cidrs")
    void ipv4AsIpReadsItOrRefused(String text) {
        checkCidr(text);
    }

    @ParameterizedTest(name = "try {index}: \"{0}\"")
    @MethodSource("ipv6Cidrs")
    void ipv6AsIpReadsItOrRefused(String text) {
        checkCidr(text);
    }

    @ParameterizedTest(name = "try {index}: \"{0}\"")
    @MethodSource("macs")
    void macAsIpReadsItOrRefused(String text) {
        Optional<String> ours = parse(() -> MacAddress.parse(text).text());
        Sh.Result set = ip("link", "set", "dev", VETH, "address", text);
        boolean ipParses = parsed(set, text);
        assertEquals(ipParses && macRule(text), ours.isPresent(), () -> "\"" + text + "\": this tool "
                + (ours.isPresent() ? "accepts" : "refuses") + "; ip: " + set.describe());
        if (ours.isEmpty()) {
            return;
        }
        if (set.code() == 2) {
            // The one unicast MAC the kernel refuses (is_valid_ether_addr): all zero.
            assertEquals("00:00:00:00:00:00", ours.get(), set.describe());
            return;
        }
        Object links = Json.parse(ip("-j", "link", "show", "dev", VETH).assertOk("ip link show").out());
        assertEquals(ours.get(), Json.string(Json.object(Json.array(links).get(0)), "address"), text);
    }

    private void checkCidr(String text) {
        Optional<String> ours = parse(() -> IpCidr.parse(text).toString());
        boolean six = text.contains(":");
        Sh.Result add = ip(six ? "-6" : "-4", "addr", "add", "local", text, "dev", "lo");
        boolean ipParses = parsed(add, text);
        boolean rule = six ? ipv6Rule(text) : ipv4Rule(text);
        assertEquals(ipParses && rule, ours.isPresent(), () -> "\"" + text + "\": this tool "
                + (ours.isPresent() ? "accepts" : "refuses") + ", the documented rule " + (rule ? "holds" : "does not hold")
                + "; ip: " + add.describe());
        if (add.code() != 0) {
            return;
        }
        List<String> kept = addressesOnLo();
        ip("addr", "flush", "dev", "lo").assertOk("ip addr flush");
        if (ours.isEmpty()) {
            return;
        }
        if (kept.isEmpty()) {
            // The kernel accepts and drops an IPv4 address of 0.0.0.0 (inet_insert_ifa).
            assertTrue(ours.get().startsWith("0.0.0.0/"), () -> text + ": nothing kept, this tool read " + ours.get());
            return;
        }
        assertEquals(List.of(ours.get()), kept, text);
    }

    // ------------------------------------------------------------------ the documented rules

    /** Four decimal numbers 0-255 without leading zeros, then a prefix length up to 32. */
    static boolean ipv4Rule(String text) {
        String[] halves = text.split("/", -1);
        if (halves.length != 2 || !prefixRule(halves[1], 32)) {
            return false;
        }
        String[] octets = halves[0].split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String o : octets) {
            if (!DEC.matcher(o).matches() || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Hexadecimal digits, colons and dots (whether they form an address is ip's to say), then a prefix up to 128. */
    static boolean ipv6Rule(String text) {
        String[] halves = text.split("/", -1);
        return halves.length == 2 && halves[0].matches("[0-9A-Fa-f:.]+") && halves[0].contains(":")
                && prefixRule(halves[1], 128);
    }

    static boolean prefixRule(String prefix, int max) {
        return DEC.matcher(prefix).matches() && Integer.parseInt(prefix) <= max;
    }

    /** Six groups of one or two hex digits separated by colons, the first octet even (unicast). */
    static boolean macRule(String text) {
        Matcher m = Pattern.compile("([0-9A-Fa-f]{1,2})(:[0-9A-Fa-f]{1,2}){5}").matcher(text);
        return m.matches() && (Integer.parseInt(m.group(1), 16) & 1) == 0;
    }

    // ------------------------------------------------------------------ ip

    private static Sh.Result ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", ns));
        argv.addAll(List.of(args));
        return Sh.run(argv, IP_TIMEOUT);
    }

    /** ip exits 1 when it cannot parse its arguments, 2 when the kernel refuses what it sent. */
    private static boolean parsed(Sh.Result r, String text) {
        return switch (r.code()) {
            case 0, 2 -> true;
            case 1 -> false;
            default -> fail("\"" + text + "\": unexpected exit status of ip: " + r.describe());
        };
    }

    /** {@code <local>/<prefixlen>} of every address on lo, as the kernel now shows it. */
    private static List<String> addressesOnLo() {
        Object shown = Json.parse(ip("-j", "addr", "show", "dev", "lo").assertOk("ip addr show").out());
        List<String> found = new ArrayList<>();
        for (Object info : Json.array(Json.object(Json.array(shown).get(0)).get("addr_info"))) {
            Map<String, Object> a = Json.object(info);
            found.add(Json.string(a, "local") + "/" + Json.number(a, "prefixlen"));
        }
        return found;
    }

    private interface Parse {
        String run();
    }

    private static Optional<String> parse(Parse parse) {
        try {
            return Optional.of(parse.run());
        } catch (InvalidValueException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ what is tried

    private static Gen<String> octet() {
        return Gen.frequency(
                Gen.weight(12, Gen.between(0, 255).map(String::valueOf)),
                Gen.weight(2, Gen.between(0, 255).map(n -> "0" + n)),
                Gen.weight(1, Gen.between(0, 99).map(n -> "00" + n)),
                Gen.weight(2, Gen.between(256, 999).map(String::valueOf)),
                Gen.weight(1, Gen.between(1000, 99999).map(String::valueOf)),
                Gen.weight(1, Gen.between(0, 300).map(n -> "0x" + Integer.toHexString(n))),
                Gen.weight(1, Gen.of("", "+1", "-0", " 1", "1 ", "\u0663", "\uff11", "a", "1a")));
    }

    private static Gen<String> prefix(int bits) {
        return Gen.frequency(
                Gen.weight(12, Gen.between(0, bits).map(n -> "/" + n)),
                Gen.weight(2, Gen.between(bits + 1, 300).map(n -> "/" + n)),
                Gen.weight(2, Gen.between(0, bits).map(n -> "/0" + n)),
                Gen.weight(1, Gen.between(0, bits).map(n -> "/0x" + Integer.toHexString(n))),
                Gen.weight(1, Gen.of("", "/", "/255.255.255.0", "/+8", "/\u0662\u0664", "/ 8", "/8 ")));
    }

    static Stream<Arguments> ipv4Cidrs() {
        Gen<List<String>> parts = Gen.frequency(
                Gen.weight(12, octet().list(4)),
                Gen.weight(1, octet().list(1, 3)),
                Gen.weight(1, octet().list(5)));
        return Tries.of("ipv4Cidrs", 200, Gen.combine(parts, prefix(32), (p, q) -> String.join(".", p) + q));
    }

    static Stream<Arguments> ipv6Cidrs() {
        Gen<String> group = Gen.frequency(
                Gen.weight(12, Gen.strings("0123456789abcdefABCDEF", 1, 4)),
                Gen.weight(3, Gen.of("0", "00", "000", "0000", "ffff", "1")),
                Gen.weight(1, Gen.strings("0123456789abcdef", 5, 5)),
                Gen.weight(1, Gen.of("", "g", " 1", "+1", "\u0661")));
        Gen<String> dotted = Gen.combine(octet().list(4), Gen.of(true, false),
                (o, mapped) -> (mapped ? "ffff:" : "") + String.join(".", o));
        Gen<String> address = Gen.combine(Gen.combine(group.list(0, 9), Gen.between(-3, 9), Map::entry),
                dotted.optional(0.15), (groupsAndGap, tail) -> {
                    List<String> words = new ArrayList<>(groupsAndGap.getKey());
                    int gap = groupsAndGap.getValue();
                    tail.ifPresent(words::add);
                    if (gap < 0 || gap > words.size()) {
                        return String.join(":", words);
                    }
                    return String.join(":", words.subList(0, gap)) + "::" + String.join(":", words.subList(gap, words.size()));
                });
        Gen<String> odd = Gen.of(":::1", ":1::", "1:::2", "::1:", "1::2::3", "::", "::1", "::ffff:1.2.3.4",
                "::1.2.3.4", "::ffff:01.2.3.4", "::1.2.3.256", "fe80::1%lo", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "FD00::A");
        return Tries.of("ipv6Cidrs", 200, Gen.combine(Gen.frequency(Gen.weight(8, address), Gen.weight(1, odd)),
                prefix(128), (a, p) -> a + p));
    }

    static Stream<Arguments> macs() {
        Gen<String> group = Gen.frequency(
                Gen.weight(14, Gen.strings("0123456789abcdefABCDEF", 1, 2)),
                Gen.weight(1, Gen.strings("0123456789abcdef", 3, 3)),
                Gen.weight(1, Gen.strings("0123456789abcdef", 2, 2).map(h -> "0x" + h)),
                Gen.weight(1, Gen.of("", "g", " 1", "+1", "1z", "\u0661")));
        Gen<List<String>> groups = Gen.frequency(
                Gen.weight(12, group.list(6)),
                Gen.weight(1, group.list(4, 5)),
                Gen.weight(1, group.list(7)));
        Gen<String> separator = Gen.frequency(Gen.weight(12, Gen.just(":")), Gen.weight(1, Gen.of("-", ".", "::")));
        return Tries.of("macs", 150, Gen.combine(groups, separator, (g, s) -> String.join(s, g)));
    }
}
