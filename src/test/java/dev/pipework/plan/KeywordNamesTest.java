package dev.pipework.plan;

import dev.pipework.model.MacvlanMode;
import dev.pipework.model.MacAddress;
import dev.pipework.sys.Where;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An interface may be named like any word {@code ip link} reads as a keyword ({@code name},
 * {@code dev}, {@code help}, {@code a}, ...): every link step and its undo must name a device
 * after a word that makes {@code ip} take the next word as a name, never bare.
 */
class KeywordNamesTest {
    /** Words of iproute2's link, address and route grammars (and abbreviations ip accepts). */
    static final List<String> KEYWORDS = List.of("name", "alias", "dev", "brd", "mtu", "help", "a", "up", "down",
            "master", "nomaster", "netns", "address", "broadcast", "link", "type", "peer", "txqueuelen", "qlen",
            "index", "group", "vf", "arp", "multicast", "promisc", "state", "mode", "add", "del", "set", "show",
            "list", "h", "n", "l", "all", "xdp", "alias", "addrgenmode", "protodown", "gso_max_size", "vrf",
            "label", "to", "via", "scope", "default", "local", "peer", "noprefixroute", "numtxqueues", "d");

    /** The words after which ip takes the next word as an interface name. */
    static final Set<String> NAMING = Set.of("dev", "name", "link", "master");

    static List<String> keywords() {
        return KEYWORDS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keywords")
    void everyLinkStepNamesItsDevices(String keyword) {
        // Planned with a name that is no keyword, the devices stand where that name stands; planned
        // with the keyword, each of those places must follow a word that makes ip read a name.
        List<List<String>> plain = commands("IFNAME");
        List<List<String>> named = commands(keyword);
        for (int c = 0; c < plain.size(); c++) {
            List<String> words = plain.get(c);
            for (int i = 0; i < words.size(); i++) {
                if (words.get(i).equals("IFNAME")) {
                    assertTrue(i > 0 && NAMING.contains(words.get(i - 1)),
                            "\"" + keyword + "\" stands bare in: ip " + String.join(" ", named.get(c)));
                }
            }
        }
    }

    private static List<List<String>> commands(String n) {
        Where guest = Where.guest("/proc/1/fd/3");
        List<Step> steps = List.of(
                new LinkSteps.AddLinuxBridge(n),
                new LinkSteps.DeleteLink(Where.HOST, n),
                new LinkSteps.SetAlias(guest, n, "pipework", Optional.of("old")),
                new LinkSteps.AddVlanLink(n, n, 1500, 10),
                new LinkSteps.AddMacvlan(n, n, 1500, MacvlanMode.PRIVATE),
                new LinkSteps.AddDummy(n, Optional.of(1400)),
                new LinkSteps.AddChildLink(n, n, Optional.of(2044), "ipoib", List.of("pkey", "0x8001"), "IPoIB child"),
                new LinkSteps.AddVethPair(n, n, 1500),
                new LinkSteps.SetMaster(n, n),
                new LinkSteps.SetLinkUp(guest, n, true),
                new LinkSteps.SetLinkDown(guest, n),
                new LinkSteps.MoveToNetns(n, "/proc/1/fd/3", "guest", Optional.of("/proc/2/ns/net")),
                new LinkSteps.ReturnToHost(guest, n, "/proc/2/ns/net"),
                new LinkSteps.RenameLink(guest, n, n, true),
                new LinkSteps.SetMacAddress(guest, n, MacAddress.parseAny("02:00:00:00:00:01"),
                        Optional.of("02:00:00:00:00:02")),
                new AddressSteps.AddAddress(guest, dev.pipework.model.Family.INET,
                        dev.pipework.model.IpCidr.parse("10.9.9.2/24"), n));
        List<List<String>> commands = new ArrayList<>();
        for (Step step : steps) {
            commands.add(((Command.Ip) step.command()).words());
            step.undo().ifPresent(u -> commands.add(((Command.Ip) u).words()));
        }
        return commands;
    }
}
