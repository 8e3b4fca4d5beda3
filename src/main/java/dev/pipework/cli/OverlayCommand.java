package dev.pipework.cli;

import dev.pipework.model.InterfaceName;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.Mtu;
import dev.pipework.plan.OverlayRequest;
import dev.pipework.run.Overlays;
import dev.pipework.run.Services;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pipework overlay add <name> vni <n> underlay <nic> peers <a>[,<b>...] [mtu <m>]} and
 * {@code pipework overlay rm <name>}: the words after the name are keyword and value pairs, in
 * any order, as {@code ip} takes them.
 */
@Command(name = "overlay", description = "Makes (add <name> vni <n> underlay <nic> peers <a>[,<b>...] [mtu <m>]) or"
        + " removes (rm <name>) a bridge with a VXLAN segment to other hosts.")
final class OverlayCommand implements Subcommand {
    static final String USAGE = "expected overlay add <name> vni <n> underlay <nic> peers <a>[,<b>...] [mtu <m>],"
            + " or overlay rm <name>";
    private static final List<String> KEYWORDS = List.of("vni", "underlay", "peers", "mtu");

    @Mixin
    Options.DryRun dryRun = new Options.DryRun();

    @Mixin
    Options.Output output = new Options.Output();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Parameters(index = "0", paramLabel = "add|rm")
    String action;

    @Parameters(index = "1", paramLabel = "name", converter = PipeworkCommand.HostInterface.class)
    String name;

    @Parameters(index = "2..*", arity = "0..*", paramLabel = "keyword value",
            description = "after add: vni <n> underlay <nic> peers <a>[,<b>...] [mtu <m>]")
    List<String> words = new ArrayList<>();

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        Overlays overlays = new Overlays(services, out, err);
        if (action.equals("rm")) {
            if (!words.isEmpty()) {
                throw new InvalidValueException("unexpected argument \"" + words.get(0) + "\": " + USAGE);
            }
            return overlays.remove(name, how.dryRun(), how.renderer());
        }
        if (!action.equals("add")) {
            throw new InvalidValueException("unknown overlay action \"" + action + "\": " + USAGE);
        }
        return overlays.add(request(name, words), how.dryRun(), how.renderer());
    }

    /** The keyword and value pairs after the name, each keyword once. */
    static OverlayRequest request(String name, List<String> rest) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < rest.size(); i += 2) {
            String keyword = rest.get(i);
            if (!KEYWORDS.contains(keyword)) {
                throw new InvalidValueException("unexpected argument \"" + keyword + "\": " + USAGE);
            }
            if (i + 1 >= rest.size()) {
                throw new InvalidValueException(keyword + " needs a value: " + USAGE);
            }
            if (values.put(keyword, rest.get(i + 1)) != null) {
                throw new InvalidValueException(keyword + " is given twice");
            }
        }
        for (String needed : List.of("vni", "underlay", "peers")) {
            if (!values.containsKey(needed)) {
                throw new InvalidValueException("overlay add needs " + needed + ": " + USAGE);
            }
        }
        if (values.get("peers").equals("etcd")) {
            throw new InvalidValueException("peers etcd: peers kept in etcd are not implemented; name the other hosts'"
                    + " underlay addresses (peers 192.0.2.2,192.0.2.3)");
        }
        List<IpAddress> peers = new ArrayList<>();
        for (String peer : values.get("peers").split(",", -1)) {
            peers.add(OverlayRequest.peer(peer));
        }
        return new OverlayRequest(name, OverlayRequest.vni(values.get("vni")),
                InterfaceName.check("underlay interface", values.get("underlay")), peers,
                Optional.ofNullable(values.get("mtu")).map(Mtu::parse));
    }
}
