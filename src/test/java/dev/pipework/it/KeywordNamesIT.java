package dev.pipework.it;

import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.HostLock;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interfaces named like the words {@code ip} reads as keywords, as the bridge, as {@code -i} and as
 * {@code -l}: attach and {@code del} act on exactly those devices, and leave every other host link
 * as it was. The links are made and removed here with {@code dev}, which these names need.
 *
 * <p>The keywords are names global to the host that no run can make unique: runs take turns (a
 * host-wide test lock, other checkouts included), and each try first checks
 * that its name is free, and fails saying so when another program has a link of that name (such a
 * link is not this test's to remove).
 */
class KeywordNamesIT {
    static final List<String> KEYWORDS = List.of("name", "alias", "dev", "brd", "mtu", "help", "a", "up", "down",
            "master", "nomaster", "link", "type", "peer", "netns", "address", "broadcast", "index", "group",
            "txqueuelen", "qlen", "state", "mode", "vf", "add", "del", "set", "show", "list", "l", "h", "d",
            "arp", "multicast", "promisc", "addrgenmode", "protodown", "xdp", "vrf", "label", "to", "via", "scope",
            "local");
    // "all" and "default" are left out: the kernel itself refuses them as device names (they name the
    // per-interface sysctl defaults), and pipework reports that as a failed step with nothing left.
    static TestNetns netns;
    static HostLock keywordNames;
    static final List<String> made = new ArrayList<>();

    @BeforeAll
    static void start() {
        Prerequisites.requireRoot();
        // Every run uses these same names and looks at every host link so named: one run at a time.
        keywordNames = HostLock.take("keyword-names", Duration.ofMinutes(30));
        netns = new TestNetns();
    }

    @AfterAll
    static void stop() {
        for (String link : List.copyOf(made)) {
            HostCleanup.deleteLink(link);
        }
        if (netns != null) {
            netns.close();
        }
        if (keywordNames != null) {
            keywordNames.close();
        }
    }

    /**
     * The host links this test could touch: the keyword-named ones, the other bridge, and the ports
     * of either (other runs may change unrelated links meanwhile).
     */
    static List<String> hostLinks(String keyword, String other) {
        return IpJson.links(null).stream()
                .filter(l -> KEYWORDS.contains((String) l.get("ifname")) || other.equals(l.get("ifname"))
                        || keyword.equals(l.get("master")) || other.equals(l.get("master")))
                .map(l -> l.get("ifname") + (l.get("master") == null ? "" : "@" + l.get("master")))
                .sorted().toList();
    }

    static Optional<Map<String, Object>> hostLink(String name) {
        return IpJson.link(null, name);
    }

    static List<String> keywords() {
        return KEYWORDS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keywords")
    void aKeywordIsAName(String keyword) {
        HostCleanup.requireFreeLinkNames(List.of(keyword));
        String ns = netns.create("kw");
        String other = "brkw" + HostCleanup.uniqueSuffix();
        Sh.ok("ip", "link", "add", "dev", other, "type", "bridge");
        made.add(other);
        try {
            List<String> before = hostLinks(keyword, other);

            // -l <keyword>: the host end of the veth is called so, on another bridge.
            Pipework.ok("-l", keyword, other, ns, "10.9.9.2/24");
            Map<String, Object> local = hostLink(keyword).orElseThrow(() -> new AssertionError("no host end " + keyword));
            assertEquals(other, local.get("master"), "host end on " + other + ": " + local);
            assertTrue(hostLink(other).isPresent(), "the bridge keeps its name");
            Pipework.ok("del", "--all", ns);
            assertEquals(before, hostLinks(keyword, other), "del leaves the host as it was");

            // A bridge called <keyword>, and -i <keyword> in the guest.
            Sh.ok("ip", "link", "add", "dev", keyword, "type", "bridge");
            made.add(keyword);
            List<String> withBridge = hostLinks(keyword, other);
            Pipework.ok("-i", keyword, keyword, ns, "10.9.8.2/24");
            Map<String, Object> inGuest = IpJson.linkInNetns(ns, keyword).orElseThrow(() -> new AssertionError("no " + keyword + " in the guest"));
            assertEquals(keyword, inGuest.get("ifname"));
            Sh.Result status = Pipework.ok("status", ns);
            assertTrue(status.out().contains(keyword), status.describe());
            Pipework.ok("del", "--all", ns);
            assertEquals(withBridge, hostLinks(keyword, other), "del removes the veth pair only");
            Map<String, Object> bridge = hostLink(keyword).orElseThrow(() -> new AssertionError("bridge gone: " + keyword));
            assertEquals(keyword, bridge.get("ifname"));
            assertFalse(netns.exec(ns, "ip", "link", "show", "dev", keyword).success(), "gone from the guest");
        } finally {
            HostCleanup.deleteLinkOrFail(keyword);
            HostCleanup.deleteLinkOrFail(other);
            made.remove(keyword);
            made.remove(other);
        }
    }
}
