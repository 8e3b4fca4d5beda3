package dev.pipework.cli;

import dev.pipework.exec.Shutdown;
import dev.pipework.ipam.Ipam;
import dev.pipework.ipam.OverlayRegistry;
import dev.pipework.model.InterfaceName;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.Mtu;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.OverlayRequest;
import dev.pipework.run.OverlayKeeper;
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
 * {@code pipework overlay add <name> vni <n> underlay <nic> peers <a>[,<b>...]|etcd [mtu <m>]},
 * {@code pipework overlay rm <name>} and {@code pipework overlay keep}: the words after the name
 * are keyword and value pairs, in any order, as {@code ip} takes them.
 */
@Command(name = "overlay", description = "Makes (add <name> vni <n> underlay <nic> peers <a>[,<b>...]|etcd [mtu <m>])"
        + " or removes (rm <name>) a bridge with a VXLAN segment to other hosts; keep: registers this host's overlays"
        + " with peers etcd in the pools' etcd and keeps their peers as the other hosts register (runs until SIGTERM).")
final class OverlayCommand implements Subcommand {
    static final String USAGE = "expected overlay add <name> vni <n> underlay <nic> peers <a>[,<b>...]|etcd [mtu <m>],"
            + " overlay rm <name> or overlay keep";
    /** The lease's TTL in seconds: how long a host that stopped renewing stays another host's peer. */
    static final long DEFAULT_TTL = 10;
    /** How often the keeper looks for overlays added or removed here, and repairs what was changed by hand. */
    static final long RESCAN_MILLIS = 5000;
    private static final List<String> KEYWORDS = List.of("vni", "underlay", "peers", "mtu");

    @Mixin
    Options.DryRun dryRun = new Options.DryRun();

    @Mixin
    Options.Output output = new Options.Output();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Parameters(index = "0", paramLabel = "add|rm|keep")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "name", converter = PipeworkCommand.HostInterface.class)
    String name;

    @Parameters(index = "2..*", arity = "0..*", paramLabel = "keyword value",
            description = "after add: vni <n> underlay <nic> peers <a>[,<b>...] [mtu <m>]")
    List<String> words = new ArrayList<>();

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        Overlays overlays = new Overlays(services, out, err);
        if (action.equals("keep")) {
            if (name != null) {
                throw new InvalidValueException("unexpected argument \"" + name + "\": " + USAGE);
            }
            return keep(how, services, err);
        }
        if (name == null) {
            throw new InvalidValueException("overlay " + action + " needs a name: " + USAGE);
        }
        if (action.equals("rm")) {
            if (!words.isEmpty()) {
                throw new InvalidValueException("unexpected argument \"" + words.get(0) + "\": " + USAGE);
            }
            return overlays.remove(name, how.dryRun(), how.renderer());
        }
        if (!action.equals("add")) {
            throw new InvalidValueException("unknown overlay action \"" + action + "\": " + USAGE);
        }
        OverlayRequest request = request(name, words);
        if (request.etcd() && services.ipam().etcdStore().isEmpty()) {
            throw new PipeworkException(OverlayRegistry.NO_ETCD);
        }
        return overlays.add(request, how.dryRun(), how.renderer());
    }

    /** {@code overlay keep}: until SIGTERM or SIGINT, which end it after the run under way (exit 0). */
    private static int keep(Invocation how, Services services, PrintStream err) {
        services.requireRoot(Services.CHANGES);
        if (services.ipam().etcdStore().isEmpty()) {
            throw new PipeworkException(OverlayRegistry.NO_ETCD);
        }
        OverlayKeeper keeper = new OverlayKeeper(services, services.ipam().overlayRegistry(ttl(System.getenv())),
                ttl(System.getenv()), RESCAN_MILLIS, err, how.verbose());
        return Shutdown.process().finishActionOnSignal(keeper::stop, keeper::run);
    }

    /** {@code PIPEWORK_OVERLAY_TTL}: the lease's seconds, 2-3600 (etcd takes no lease shorter than about 2 s). */
    static long ttl(Map<String, String> env) {
        String v = env.getOrDefault("PIPEWORK_OVERLAY_TTL", "");
        if (v.isEmpty()) {
            return DEFAULT_TTL;
        }
        if (!v.matches("[0-9]{1,4}") || Long.parseLong(v) < 2 || Long.parseLong(v) > 3600) {
            throw new InvalidValueException("PIPEWORK_OVERLAY_TTL \"" + v + "\" is not valid: expected seconds, 2-3600");
        }
        return Long.parseLong(v);
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
        boolean etcd = values.get("peers").equals("etcd");
        List<IpAddress> peers = new ArrayList<>();
        for (String peer : etcd ? new String[0] : values.get("peers").split(",", -1)) {
            peers.add(OverlayRequest.peer(peer));
        }
        return new OverlayRequest(name, OverlayRequest.vni(values.get("vni")),
                InterfaceName.check("underlay interface", values.get("underlay")), peers, etcd,
                Optional.ofNullable(values.get("mtu")).map(Mtu::parse));
    }
}
