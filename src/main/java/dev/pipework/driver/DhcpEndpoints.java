package dev.pipework.driver;

import dev.pipework.json.Json;
import dev.pipework.model.Guest;
import dev.pipework.model.IpCidr;
import dev.pipework.model.MacAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.DhcpKeeping;
import dev.pipework.plan.DriverPlans;
import dev.pipework.plan.Plan;
import dev.pipework.run.Sequence;
import dev.pipework.run.Services;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.Where;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The endpoints of a {@code dhcp=true} network. Docker 20.10 gives a container the address its
 * IPAM driver gave, as it is, and a remote IPAM driver must give one; so such a network has
 * {@code --ipam-driver null} (no address) and the network driver answers {@code CreateEndpoint}
 * with the address the LAN's DHCP server gave: at that call the endpoint's links are made on the
 * host and a first lease is taken on the link the engine will move ({@code dhclient -1} that
 * configures nothing), then that client is stopped without a release. Once the engine has moved
 * the link into the container's namespace (its {@code SandboxKey}, which is a namespace only after
 * the driver's {@code Join} has answered) and set that address, the lease keeper is given a record
 * of the container's client, which it starts there and keeps; {@code Leave} stops it and releases
 * the lease.
 */
final class DhcpEndpoints {
    private static final Pattern FIXED = Pattern.compile("fixed-address ([0-9.]+);");
    private static final Pattern MASK = Pattern.compile("option subnet-mask ([0-9.]+);");
    private static final Pattern ROUTERS = Pattern.compile("option routers ([0-9.]+)[,;]");
    private static final Duration SANDBOX_WAIT = Duration.ofSeconds(60);

    private final Services services;
    private final Consumer<String> log;

    DhcpEndpoints(Services services, Consumer<String> log) {
        this.services = services;
        this.log = log;
    }

    /** What a first lease gave: the address with its prefix, the router if any, the lease file's text. */
    record Lease(String address, Optional<String> gateway, String leases) {
    }

    /**
     * The identity of an endpoint's leases and its DHCP hostname. Docker tells a network driver
     * nothing of the container an endpoint is for, and each start of a container is a new
     * endpoint: what is the same from one start to the next is a {@code --mac-address} or an
     * endpoint option ({@code --driver-opt dhcp_id=<name>}, kept by the engine with the container's
     * settings), and with either the container gets the same client ID and MAC, so its address,
     * back. Without them the endpoint is its own identity.
     */
    record Identity(String key, String hostname) {
        static Identity of(String endpointId, Optional<String> dhcpId, Optional<MacAddress> givenMac) {
            if (givenMac.isPresent()) {
                return new Identity(DhcpKeeping.identityOfMac(givenMac.get()),
                        dhcpId.orElse("docker-" + endpointId.substring(0, 12)));
            }
            if (dhcpId.isPresent()) {
                return new Identity(DhcpKeeping.identityOfMac(MacAddress.fromUniqueText(dhcpId.get())), dhcpId.get());
            }
            return new Identity(endpointId.substring(0, 16), "docker-" + endpointId.substring(0, 12));
        }

        /** As an endpoint record keeps it; a record written without one is the endpoint's own. */
        static Identity fromRecord(String endpointId, Map<String, Object> record) {
            return record.get("dhcp_identity") instanceof String k && record.get("dhcp_hostname") instanceof String h
                    && k.matches("[0-9a-f]{16}") && DhcpKeeping.hostname(h).equals(h)
                    ? new Identity(k, h) : of(endpointId, Optional.empty(), Optional.empty());
        }

        void record(Map<String, Object> record) {
            record.put("dhcp_identity", key);
            record.put("dhcp_hostname", hostname);
        }
    }

    /**
     * The endpoint option {@code dhcp_id} ({@code docker network connect --driver-opt dhcp_id=<name>},
     * or the API's {@code DriverOpts}): a name that stays with the container, so that its DHCP
     * identity does. Only on a {@code dhcp=true} network.
     */
    static Optional<String> dhcpId(Map<String, Object> req, NetworkOptions opts, String networkId) {
        Map<String, Object> options = req.get("Options") instanceof Map<?, ?> m ? Json.object(m) : Map.of();
        if (!options.containsKey("dhcp_id")) {
            return Optional.empty();
        }
        String value = options.get("dhcp_id") instanceof String v ? v : "";
        if (!opts.dhcp()) {
            throw new PipeworkException("dhcp_id is for a network with -o dhcp=true; network " + NetworkDriver.shortId(networkId)
                    + " gives addresses from its subnet");
        }
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new PipeworkException("dhcp_id \"" + value + "\" is not valid: expected a name of 1-63 letters,"
                    + " digits, '.', '_' or '-' (it becomes the DHCP hostname)");
        }
        return Optional.of(value);
    }

    /** The client of the first lease, on the engine's link on the host. */
    static DhcpKeeping.Kept first(Identity identity, String link, int timeout, long hostNetns) {
        return new DhcpKeeping.Kept(DhcpKeeping.Kept.key(identity.key(), link, 4), "dhclient", 4, link,
                identity.hostname(), List.of(), "/proc/1/ns/net", hostNetns, timeout);
    }

    /** The client kept in the container, on the interface the engine named. */
    static DhcpKeeping.Kept kept(Identity identity, String iface, int timeout, String sandboxKey, long netns) {
        return new DhcpKeeping.Kept(DhcpKeeping.Kept.key(identity.key(), iface, 4), "dhclient", 4, iface,
                identity.hostname(), List.of(), sandboxKey, netns, timeout);
    }

    /** Takes the first lease on the host (the endpoint's links are there); undone entirely when none came. */
    Lease lease(String hostInterface, DhcpKeeping.Kept first, MacAddress mac) {
        Lease lease = new Sequence(services).run(List.of(hostInterface), Optional.empty(), held -> {
            held.execute(DriverPlans.dhcpLease(first, mac));
            String text = services.host().readFile(first.leaseFile(), 64 * 1024).orElse("");
            held.execute(DriverPlans.dhcpLeaseTaken(first));
            return parse(text).orElseThrow(() -> new PipeworkException("the DHCP server's lease on " + hostInterface
                    + " has no address and mask pipework can read"));
        });
        log.accept("lease " + lease.address() + lease.gateway().map(g -> " via " + g).orElse("") + " on "
                + hostInterface);
        return lease;
    }

    /** The last lease of a dhclient lease file: its address with the mask's prefix, its router. */
    static Optional<Lease> parse(String text) {
        int at = text.lastIndexOf("lease {");
        if (at < 0) {
            return Optional.empty();
        }
        String last = text.substring(at);
        Matcher fixed = FIXED.matcher(last);
        Matcher mask = MASK.matcher(last);
        if (!fixed.find() || !mask.find()) {
            return Optional.empty();
        }
        IpCidr address = IpCidr.parse(fixed.group(1) + "/" + prefix(mask.group(1)));
        Matcher router = ROUTERS.matcher(last);
        Optional<String> gateway = router.find()
                ? Optional.of(IpCidr.format(IpCidr.parseAddress("router", router.group(1), router.group(1))))
                : Optional.empty();
        return Optional.of(new Lease(IpCidr.format(address.bytes()) + "/" + address.prefix(), gateway, last));
    }

    private static int prefix(String mask) {
        int bits = 0;
        for (byte b : IpCidr.parseAddress("subnet mask", mask, mask)) {
            bits += Integer.bitCount(b & 0xff);
        }
        return bits;
    }

    /**
     * Waits for the engine to move the link into the namespace {@code sandboxKey} and give it the
     * lease's address (and its default route), then hands the kept client to the keeper.
     * {@code stillJoined} is asked under the driver's lock, as is the plan run: a Leave that came
     * first means nothing is to be kept.
     */
    void keepWhenPlaced(String endpointId, Identity identity, String mac, Lease lease, int timeout, String sandboxKey,
                        Supplier<Boolean> stillJoined, Consumer<Runnable> serial, Consumer<String> recorded) {
        Thread t = new Thread(() -> {
            Instant end = Instant.now().plus(SANDBOX_WAIT);
            Optional<String> iface = Optional.empty();
            OptionalLong netns = OptionalLong.empty();
            while (Instant.now().isBefore(end) && iface.isEmpty()) {
                // Until the engine mounts the namespace on it, the key is an empty file that nsenter refuses.
                iface = placed(sandboxKey, mac, lease);
                if (iface.isEmpty()) {
                    sleep();
                }
            }
            netns = services.host().netnsInodeOf(sandboxKey);
            if (iface.isEmpty() || netns.isEmpty()) {
                log.accept("endpoint " + NetworkDriver.shortId(endpointId) + ": its link was not seen in " + sandboxKey
                        + " within " + SANDBOX_WAIT.toSeconds() + " s; its lease is not kept");
                return;
            }
            String name = iface.get();
            long inode = netns.getAsLong();
            serial.accept(() -> {
                if (!stillJoined.get()) {
                    return;
                }
                DhcpKeeping.Kept k = kept(identity, name, timeout, sandboxKey, inode);
                String leases = lease.leases().replaceFirst("interface \"[^\"]*\";", "interface \"" + name + "\";");
                Guest guest = new Guest(k.hostname(), dev.pipework.guest.NetnsFileRuntime.RUNTIME, Optional.empty(),
                        Optional.empty(), 0, sandboxKey, inode);
                new Sequence(services).run(List.of(), Optional.of(guest), held -> {
                    held.execute(DriverPlans.dhcpKeep(k, leases, held.view()));
                    return null;
                });
                recorded.accept(k.text());
                log.accept("endpoint " + NetworkDriver.shortId(endpointId) + ": lease kept on " + name + " in "
                        + sandboxKey);
            });
        }, "pipework-driver-dhcp");
        t.setDaemon(true);
        t.start();
    }

    /** The name of the link of this MAC in the namespace once it has the lease's address, or empty. */
    private Optional<String> placed(String sandboxKey, String mac, Lease lease) {
        CommandResult r = services.runner().run(Where.guest(sandboxKey).wrap(List.of("ip", "-o", "addr", "show")));
        if (!r.succeeded()) {
            return Optional.empty();
        }
        if (lease.gateway().isPresent()) {
            // The engine sets the default route after the address: the client's script must come after both.
            CommandResult routes = services.runner().run(Where.guest(sandboxKey).wrap(List.of("ip", "-4", "route", "show",
                    "default")));
            if (!routes.stdout().contains("via " + lease.gateway().get() + " ")) {
                return Optional.empty();
            }
        }
        CommandResult links = services.runner().run(Where.guest(sandboxKey).wrap(List.of("ip", "-o", "link", "show")));
        for (String line : links.stdout().split("\n")) {
            String[] w = line.split(":\\s+|\\s+");
            if (line.contains("link/ether " + mac) && w.length > 1) {
                String name = w[1].contains("@") ? w[1].substring(0, w[1].indexOf('@')) : w[1];
                if (r.stdout().lines().anyMatch(l -> l.contains(" " + name + " ") && l.contains("inet " + lease.address()))) {
                    return Optional.of(name);
                }
            }
        }
        return Optional.empty();
    }

    /** Stops the container's client and releases its lease (in the namespace, while it is there). */
    void release(String keptText, String hostInterface) {
        Optional<DhcpKeeping.Kept> k = DhcpKeeping.Kept.parse(keptText);
        if (k.isEmpty()) {
            return;
        }
        OptionalLong inode = services.host().netnsInodeOf(k.get().netnsFile());
        Optional<Where> in = inode.isPresent() && inode.getAsLong() == k.get().netnsInode()
                ? Optional.of(Where.guest(k.get().netnsFile())) : Optional.empty();
        Guest guest = new Guest(k.get().hostname(), dev.pipework.guest.NetnsFileRuntime.RUNTIME, Optional.empty(),
                Optional.empty(), 0, k.get().netnsFile(), k.get().netnsInode());
        new Sequence(services).run(List.of(), in.isPresent() ? Optional.of(guest) : Optional.empty(), held -> {
            held.execute(DriverPlans.dhcpRelease(k.get(), in, held.view()));
            return null;
        });
        log.accept("lease of " + k.get().iface() + " in " + k.get().netnsFile() + " released (" + hostInterface + ")");
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
