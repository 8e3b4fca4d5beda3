package dev.pipework.driver;

import dev.pipework.json.Json;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.Failure;
import dev.pipework.model.IpCidr;
import dev.pipework.model.MacAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.DriverPlans;
import dev.pipework.plan.HostTarget;
import dev.pipework.plan.MachineView;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.run.Recovery;
import dev.pipework.run.Sequence;
import dev.pipework.run.Services;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The network driver's calls. Every change goes through {@link Sequence} (the host links' locks,
 * the machine read under them, the plan, its execution undone on failure) with the planner's
 * {@link DriverPlans}; what a later call needs is in the driver's own records ({@link DriverState}),
 * never asked of the engine: the engine may be waiting for this very call (at its start, it
 * restores its networks through the driver before it answers its API).
 */
final class NetworkDriver {
    private static final String GENERIC = "com.docker.network.generic";

    private final Services services;
    private final DriverState state;
    private final Consumer<String> log;
    private final Planner planner = new Planner();
    private final SecureRandom random = new SecureRandom();
    private final DhcpEndpoints dhcp;
    private final java.util.function.BiConsumer<String, Runnable> serial;

    /** @param serial runs an action later, as a call is run: alone, under the driver's lock */
    NetworkDriver(Services services, DriverState state, Consumer<String> log,
                  java.util.function.BiConsumer<String, Runnable> serial) {
        this.services = services;
        this.state = state;
        this.log = log;
        this.serial = serial;
        this.dhcp = new DhcpEndpoints(services, log);
    }

    Map<String, Object> createNetwork(Map<String, Object> req) {
        String id = id(req, "NetworkID");
        Map<String, Object> options = req.get("Options") instanceof Map<?, ?> m ? Json.object(m) : Map.of();
        Map<String, Object> generic = options.get(GENERIC) instanceof Map<?, ?> g ? Json.object(g) : Map.of();
        NetworkOptions opts = NetworkOptions.parse(generic);
        AttachRequest request = opts.request("network " + shortId(id));
        if (opts.dhcp()) {
            String pool = NetworkSubnets.pool(req, "IPv4Data").orElse("");
            if (!pool.isEmpty() && !pool.equals("0.0.0.0/0") || NetworkSubnets.pool(req, "IPv6Data").isPresent()) {
                throw new PipeworkException("dhcp=true takes each address from the LAN's DHCP server: create the"
                        + " network with --ipam-driver null and no --subnet (Docker gives a container the address of"
                        + " its IPAM driver as it is)");
            }
        }
        List<String> subnets = java.util.stream.Stream.of(NetworkSubnets.pool(req, "IPv4Data"),
                        NetworkSubnets.pool(req, "IPv6Data"))
                .flatMap(Optional::stream).filter(p -> !p.equals("0.0.0.0/0")).toList();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", id);
        record.put("options", opts.toRecord());
        record.put("subnets", subnets);
        if (!opts.dhcp()) {
            NetworkSubnets.gateway(req, "IPv4Data").ifPresent(gw -> record.put("gateway", gw));
            NetworkSubnets.gateway(req, "IPv6Data").ifPresent(gw -> record.put("gateway6", gw));
        }
        new Sequence(services).run(List.of(opts.hostInterface()), Optional.empty(), held -> {
            HostTarget target = planner.hostTarget(request, held.view());
            checkKind(opts, target);
            // Under the bridge's lock: another network's CreateNetwork on this bridge waits for this one.
            NetworkSubnets.checkSubnets(state, id, opts, subnets, this::hostInterfaceOf);
            Plan plan = DriverPlans.network(request, target, held.view());
            plan.notices().forEach(log);
            record.put("kind", target.kind().name());
            record.put("created", !target.exists() && opts.bridge().isPresent());
            // Recorded before the bridge is made: a driver killed after, before the engine heard of the
            // network, leaves a pending record, and its next start removes the bridge.
            record.put("pending", true);
            state.write(DriverState.Kind.NETWORK, id, record);
            try {
                held.execute(plan);
            } catch (RuntimeException e) {
                state.delete(DriverState.Kind.NETWORK, id);
                throw e;
            }
            record.remove("pending");
            state.write(DriverState.Kind.NETWORK, id, record);
            return null;
        });
        log.accept("network " + shortId(id) + " on " + opts.hostInterface() + ((boolean) record.get("created")
                ? " (created)" : ""));
        return Map.of();
    }

    private static void checkKind(NetworkOptions opts, HostTarget target) {
        boolean bridge = target.kind() == HostTarget.Kind.LINUX_BRIDGE || target.kind() == HostTarget.Kind.OVS_BRIDGE;
        if (opts.bridge().isPresent() && !bridge) {
            throw new PipeworkException("bridge \"" + target.name() + "\" is a " + target.kind().description()
                    + ", not a bridge: a network on a NIC is -o parent=" + target.name());
        }
        if (opts.parent().isPresent() && target.kind() != HostTarget.Kind.PHYSICAL) {
            throw new PipeworkException("parent \"" + target.name() + "\" is " + (target.exists()
                    ? "a " + target.kind().description() + ", not a NIC: a network on a bridge is -o bridge="
                    + target.name() : "not an interface of this host"));
        }
    }

    Map<String, Object> deleteNetwork(Map<String, Object> req) {
        String id = id(req, "NetworkID");
        Optional<Map<String, Object>> record = state.read(DriverState.Kind.NETWORK, id);
        if (record.isEmpty()) {
            return Map.of();
        }
        NetworkOptions opts = NetworkOptions.fromRecord(record.get());
        if (Boolean.TRUE.equals(record.get().get("created"))) {
            new Sequence(services).run(List.of(opts.hostInterface()), Optional.empty(), held -> {
                HostTarget target = planner.hostTarget(opts.request("network " + shortId(id)), held.view());
                Optional<Map<String, Object>> other = state.all(DriverState.Kind.NETWORK).values().stream()
                        .filter(n -> !id.equals(n.get("id"))
                                && hostInterfaceOf(n).filter(opts.hostInterface()::equals).isPresent())
                        .findFirst();
                if (other.isPresent()) {
                    // Another network is on the bridge still: the bridge is now that network's to remove.
                    other.get().put("created", true);
                    state.write(DriverState.Kind.NETWORK, String.valueOf(other.get().get("id")), other.get());
                } else {
                    Plan plan = DriverPlans.networkRemoval(target, held.view());
                    held.execute(plan);
                    if (!plan.steps().isEmpty()) {
                        log.accept("network " + shortId(id) + ": bridge " + opts.hostInterface() + " deleted");
                    }
                }
                return null;
            });
        }
        state.delete(DriverState.Kind.NETWORK, id);
        log.accept("network " + shortId(id) + " removed");
        return Map.of();
    }

    Map<String, Object> createEndpoint(Map<String, Object> req) {
        String networkId = id(req, "NetworkID");
        String id = id(req, "EndpointID");
        Map<String, Object> network = network(networkId);
        Map<String, Object> iface = req.get("Interface") instanceof Map<?, ?> m ? Json.object(m) : Map.of();
        String address = Optional.ofNullable(Json.string(iface, "Address")).orElse("");
        String address6 = Optional.ofNullable(Json.string(iface, "AddressIPv6")).orElse("");
        String mac = Optional.ofNullable(Json.string(iface, "MacAddress")).orElse("");
        Optional<MacAddress> givenMac = mac.isEmpty() ? Optional.empty() : Optional.of(MacAddress.parseAny(mac));
        NetworkOptions opts = NetworkOptions.fromRecord(network);
        Optional<String> dhcpId = DhcpEndpoints.dhcpId(req, opts, networkId);
        DhcpEndpoints.Identity identity = DhcpEndpoints.Identity.of(id, dhcpId, givenMac);
        Map<String, Object> answer = new LinkedHashMap<>();
        if (mac.isEmpty()) {
            // With a dhcp_id, the MAC the command line's U:<dhcp_id> gives: the same at each start.
            String asked = address;
            mac = dhcpId.map(d -> MacAddress.fromUniqueText(d).text()).orElseGet(() -> macFor(asked));
            answer.put("Interface", Map.of("MacAddress", mac));
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", id);
        record.put("network", networkId);
        if (opts.dhcp()) {
            if (!address.isEmpty() || !address6.isEmpty()) {
                throw new PipeworkException("network " + shortId(networkId) + " takes its addresses from the LAN's DHCP"
                        + " server: no --ip or --ip6 on it");
            }
            if (dhcpId.isPresent() || givenMac.isPresent()) {
                // One identity, one container: two would share a MAC, a client ID and the keeper's files.
                state.all(DriverState.Kind.ENDPOINT).forEach((other, e) -> {
                    if (!other.equals(id) && identity.key().equals(e.get("dhcp_identity"))) {
                        throw new PipeworkException((dhcpId.isPresent() ? "dhcp_id " + dhcpId.get() : "MAC " + givenMac.get())
                                + " is already endpoint " + shortId(other) + "'s: each container on a dhcp=true network needs its own");
                    }
                });
            }
            identity.record(record);
            DhcpEndpoints.Lease lease = firstLease(id, identity, network, opts, MacAddress.parseAny(mac), record);
            address = lease.address();
            record.put("plumbed", true);
            record.put("lease", lease.leases());
            lease.gateway().ifPresent(gw -> record.put("gateway", gw));
            Map<String, Object> given = new LinkedHashMap<>();
            given.put("Address", address);
            if (answer.get("Interface") instanceof Map<?, ?> m) {
                given.put("MacAddress", m.get("MacAddress"));
            }
            answer.put("Interface", given);
        }
        record.put("address", address);
        record.put("address6", address6);
        record.put("mac", mac);
        record.put("joined", false);
        state.write(DriverState.Kind.ENDPOINT, id, record);
        log.accept("endpoint " + shortId(id) + " on network " + shortId(networkId) + (address.isEmpty() ? ""
                : " " + address));
        return answer;
    }

    /** As the engine's bridge driver makes one from the address, so it is the same after a restart; random without one. */
    private String macFor(String address) {
        byte[] b = new byte[6];
        if (!address.isEmpty() && !address.contains(":")) {
            byte[] ip = IpCidr.parse(address).bytes();
            b[0] = 0x02;
            b[1] = 0x42;
            System.arraycopy(ip, 0, b, 2, 4);
        } else {
            random.nextBytes(b);
            b[0] = (byte) ((b[0] & 0xfe) | 0x02);
        }
        return MacAddress.parseAny(java.util.HexFormat.ofDelimiter(":").formatHex(b)).text();
    }

    Map<String, Object> deleteEndpoint(Map<String, Object> req) {
        String id = id(req, "EndpointID");
        Optional<Map<String, Object>> record = state.read(DriverState.Kind.ENDPOINT, id);
        Optional<Map<String, Object>> network = state.read(DriverState.Kind.NETWORK, id(req, "NetworkID"));
        // The lease first, while the container's end is still there to send the DHCPRELEASE from.
        if (record.isPresent()) {
            release(id, record.get());
        }
        if (network.isPresent()) {
            remove(id, network.get());
        }
        if (record.isPresent()) {
            state.delete(DriverState.Kind.ENDPOINT, id);
            log.accept("endpoint " + shortId(id) + " removed");
        }
        return Map.of();
    }

    /** The endpoint's links and Open vSwitch port, those that are still there. */
    void remove(String endpointId, Map<String, Object> network) {
        NetworkOptions opts = NetworkOptions.fromRecord(network);
        Optional<String> ovs = HostTarget.Kind.OVS_BRIDGE.name().equals(network.get("kind"))
                ? opts.bridge() : Optional.empty();
        new Sequence(services).run(List.of(opts.hostInterface()), Optional.empty(), held -> {
            held.execute(DriverPlans.endpointRemoval(ovs, endpointId, held.view()));
            return null;
        });
    }

    /** The endpoint's links made now (the lease is taken on the one the engine moves), then its first lease; no lease, no links. */
    private DhcpEndpoints.Lease firstLease(String id, DhcpEndpoints.Identity identity, Map<String, Object> network,
                                           NetworkOptions opts, MacAddress mac, Map<String, Object> record) {
        String link = plumb(String.valueOf(network.get("id")), id, "", opts);
        record.put("link", link);
        try {
            long host = services.host().netnsInodeOf("/proc/1/ns/net").orElse(1);
            return dhcp.lease(opts.hostInterface(), DhcpEndpoints.first(identity, link, opts.dhcpTimeout(), host), mac);
        } catch (RuntimeException e) {
            remove(id, network);
            throw e;
        }
    }

    private String plumb(String networkId, String id, String sandbox, NetworkOptions opts) {
        AttachRequest request = opts.request("endpoint " + shortId(id));
        return new Sequence(services).run(List.of(opts.hostInterface()), Optional.empty(), held -> {
            MachineView view = held.view();
            HostTarget target = planner.hostTarget(request, view);
            if (!target.exists()) {
                throw new PipeworkException("the " + target.kind().description() + " \"" + target.name()
                        + "\" of network " + shortId(networkId) + " is gone");
            }
            held.execute(DriverPlans.endpoint(request, target, networkId, id, sandbox, view));
            return DriverPlans.engineLink(target, id);
        });
    }

    Map<String, Object> join(Map<String, Object> req) {
        String networkId = id(req, "NetworkID");
        String id = id(req, "EndpointID");
        Map<String, Object> network = network(networkId);
        Map<String, Object> endpoint = state.read(DriverState.Kind.ENDPOINT, id).orElseThrow(
                () -> new PipeworkException("endpoint " + shortId(id) + " is not one of this driver's"));
        String sandboxKey = Optional.ofNullable(Json.string(req, "SandboxKey")).orElse("");
        String sandbox = sandboxKey.substring(sandboxKey.lastIndexOf('/') + 1);
        NetworkOptions opts = NetworkOptions.fromRecord(network);
        String link;
        Optional<String> made = Optional.ofNullable((String) endpoint.get("link"));
        if (Boolean.TRUE.equals(endpoint.get("plumbed")) && made.flatMap(services.view()::link).isPresent()) {
            link = made.get();
        } else {
            link = plumb(networkId, id, sandbox, opts);
        }
        endpoint.put("joined", true);
        endpoint.put("sandbox", sandboxKey);
        endpoint.put("link", link);
        state.write(DriverState.Kind.ENDPOINT, id, endpoint);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("InterfaceName", Map.of("SrcName", link, "DstPrefix", "eth"));
        Optional.ofNullable((String) network.get("gateway")).or(() -> Optional.ofNullable((String) endpoint.get("gateway")))
                .ifPresent(gw -> answer.put("Gateway", gw));
        Optional.ofNullable((String) network.get("gateway6")).ifPresent(gw -> answer.put("GatewayIPv6", gw));
        if (endpoint.get("lease") instanceof String leases && !sandboxKey.isEmpty()) {
            DhcpEndpoints.Lease lease = DhcpEndpoints.parse(leases).orElseThrow();
            dhcp.keepWhenPlaced(id, DhcpEndpoints.Identity.fromRecord(id, endpoint), String.valueOf(endpoint.get("mac")), lease, opts.dhcpTimeout(), sandboxKey,
                    () -> state.read(DriverState.Kind.ENDPOINT, id).filter(e -> Boolean.TRUE.equals(e.get("joined"))
                            && sandboxKey.equals(e.get("sandbox"))).isPresent(),
                    action -> serial.accept(networkId, action), kept -> state.read(DriverState.Kind.ENDPOINT, id).ifPresent(e -> {
                        e.put("kept", kept);
                        state.write(DriverState.Kind.ENDPOINT, id, e);
                    }));
        }
        log.accept("endpoint " + shortId(id) + " joins " + (sandbox.isEmpty() ? "a sandbox" : "sandbox " + sandbox)
                + " through " + link);
        return answer;
    }

    Map<String, Object> leave(Map<String, Object> req) {
        String id = id(req, "EndpointID");
        state.read(DriverState.Kind.ENDPOINT, id).ifPresent(endpoint -> {
            release(id, endpoint);
            endpoint.put("joined", false);
            state.write(DriverState.Kind.ENDPOINT, id, endpoint);
            log.accept("endpoint " + shortId(id) + " leaves");
        });
        return Map.of();
    }

    /** A kept DHCP client of the endpoint stopped and its lease released; its record says it is no more. */
    private void release(String id, Map<String, Object> endpoint) {
        if (endpoint.remove("kept") instanceof String kept) {
            dhcp.release(kept, shortId(id));
            state.write(DriverState.Kind.ENDPOINT, id, endpoint);
        }
    }

    Map<String, Object> operInfo(Map<String, Object> req) {
        String id = id(req, "EndpointID");
        Map<String, Object> value = new LinkedHashMap<>();
        state.read(DriverState.Kind.ENDPOINT, id).ifPresent(e -> {
            Optional.ofNullable(e.get("link")).ifPresent(l -> value.put("pipework.link", l));
            value.put("pipework.host_end", DriverPlans.hostEnd(id));
        });
        return Map.of("Value", value);
    }

    /**
     * At start: the runs killed midway that the journal shows (a driver SIGKILLed in a Join) are
     * undone; the records of endpoints whose network is no more go, and an endpoint whose links
     * went while the driver was away (its container's namespace with them) loses what the kernel
     * left: its Open vSwitch port. Endpoints still plumbed are left as they are.
     */
    void cleanStale() {
        try {
            Recovery.beforeRun(services);
        } catch (RuntimeException e) {
            // The networks and endpoints below are cleaned all the same; the journal is tried again at the next run.
            log.accept("runs killed midway not undone: " + Failure.of(e).oneLine());
        }
        Map<String, Map<String, Object>> networks = state.all(DriverState.Kind.NETWORK);
        for (Map.Entry<String, Map<String, Object>> n : Map.copyOf(networks).entrySet()) {
            if (Boolean.TRUE.equals(n.getValue().get("pending"))) {
                try {
                    deleteNetwork(Map.of("NetworkID", n.getKey()));
                    networks.remove(n.getKey());
                    log.accept("network " + shortId(n.getKey()) + ": created by a driver stopped midway, removed");
                } catch (RuntimeException e) {
                    log.accept("network " + shortId(n.getKey()) + ": created by a driver stopped midway, not removed: "
                            + Failure.of(e).oneLine());
                }
            }
        }
        for (Map.Entry<String, Map<String, Object>> e : state.all(DriverState.Kind.ENDPOINT).entrySet()) {
            try {
                cleanStale(e.getKey(), e.getValue(), networks.get(String.valueOf(e.getValue().get("network"))));
            } catch (RuntimeException failure) {
                log.accept("endpoint " + shortId(e.getKey()) + ": not cleaned up: " + Failure.of(failure).oneLine());
            }
        }
    }

    private void cleanStale(String id, Map<String, Object> endpoint, Map<String, Object> network) {
        if (network == null) {
            state.delete(DriverState.Kind.ENDPOINT, id);
            log.accept("endpoint " + shortId(id) + ": record of a network that is gone, removed");
        } else if (Boolean.TRUE.equals(endpoint.get("joined")) && gone(id, endpoint)) {
            remove(id, network);
            endpoint.put("joined", false);
            state.write(DriverState.Kind.ENDPOINT, id, endpoint);
            log.accept("endpoint " + shortId(id) + ": its container is gone, what was left is removed");
        }
    }

    /**
     * Whether a joined endpoint's container is gone: its veth went with the container's namespace
     * (no host end), or the engine took its link back out of the container (the link is on the
     * host, where no Join leaves it while the driver is not running) and never said so.
     */
    private boolean gone(String id, Map<String, Object> endpoint) {
        MachineView view = services.view();
        Optional<String> link = Optional.ofNullable((String) endpoint.get("link"));
        boolean veth = link.map(l -> l.startsWith("pwg")).orElse(true);
        return (veth && view.link(DriverPlans.hostEnd(id)).isEmpty()) || link.flatMap(view::link).isPresent();
    }

    private Map<String, Object> network(String id) {
        return state.read(DriverState.Kind.NETWORK, id).orElseThrow(
                () -> new PipeworkException("network " + shortId(id) + " is not one of this driver's (no record in "
                        + state.dir() + ")"));
    }

    /** The bridge or NIC of a network's record; empty for a record whose options do not read. */
    private Optional<String> hostInterfaceOf(Map<String, Object> network) {
        try {
            return Optional.of(NetworkOptions.fromRecord(network).hostInterface());
        } catch (RuntimeException e) {
            log.accept("network record " + network.get("id") + " is damaged: " + Failure.of(e).oneLine()
                    + "; left as it is");
            return Optional.empty();
        }
    }

    static String id(Map<String, Object> req, String key) {
        String id = Json.string(req, key);
        if (id == null || !id.matches("[0-9a-f]{12,64}")) {
            throw new PipeworkException(key + " \"" + id + "\" is not 12 to 64 hex digits");
        }
        return id;
    }

    static String shortId(String id) {
        return id.substring(0, Math.min(12, id.length()));
    }
}
