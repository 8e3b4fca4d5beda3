package dev.pipework.cni;

import dev.pipework.guest.CniRecords;
import dev.pipework.guest.CniRuntime;
import dev.pipework.host.OvsdbSocket;
import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.Family;
import dev.pipework.model.Guest;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.MacAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.AddressSteps;
import dev.pipework.plan.AttachKind;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.HostTarget;
import dev.pipework.plan.LinkFacts;
import dev.pipework.plan.LinkSteps;
import dev.pipework.plan.MachineView;
import dev.pipework.plan.Plan;
import dev.pipework.plan.Planner;
import dev.pipework.plan.Step;
import dev.pipework.run.Attach;
import dev.pipework.run.Sequence;
import dev.pipework.run.Services;
import dev.pipework.sys.Where;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ADD and DEL: the command line's plumbing (same planner, names, alias and Open vSwitch records,
 * the container ID as the guest's ID), addresses and routes from the IPAM plugin, and a record of
 * what was made for the verbs after.
 */
final class CniPlugin {
    private final Services services;
    private final CniRecords records;
    private final PrintStream err;
    private final Planner planner = new Planner();

    CniPlugin(Services services, CniRecords records, PrintStream err) {
        this.services = services;
        this.records = records;
        this.err = err;
    }

    /** ADD: plumbs, asks IPAM for addresses, applies them; on any failure leaves nothing behind. */
    Map<String, Object> add(CniEnv env, Map<String, Object> raw, String stdin) {
        NetConf conf = NetConf.parse(raw, env, false);
        boolean kept = conf.ipamType().filter(KeptDhcp.TYPE::equals).isPresent();
        Optional<AddressSpec.Dhcp> dhcp;
        try {
            dhcp = kept ? Optional.of(KeptDhcp.spec(raw)) : Optional.empty();
        } catch (InvalidValueException e) {
            throw new CniError(CniError.INVALID_CONFIG, e.getMessage());
        }
        Optional<Ipam> ipam = conf.ipamType().filter(t -> !kept).map(t -> Ipam.require(t, raw, env.path(),
                services.runner()));
        if (!Files.exists(Path.of(env.netns()))) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_NETNS \"" + env.netns() + "\" does not exist");
        }
        Guest guest = guest(env);
        // A kept lease is released at DEL; the container added again (podman restart: DEL, then ADD of
        // the same ID) asks with the same MAC and client ID, so the server gives the same address back.
        Optional<MacAddress> mac = conf.mac().or(() -> dhcp.map(d -> MacAddress.fromUniqueText(
                env.containerId() + "/" + env.ifname())));
        AttachRequest request = AttachRequest.on(conf.hostInterface(), env.containerId())
                .containerInterface(Optional.of(env.ifname())).mac(mac)
                .tag(conf.vlan().map(Object::toString))
                .address(conf.pool().isPresent() ? conf.pool().get()
                        : dhcp.isPresent() ? dhcp.get() : new AddressSpec.None()).build();
        // A pool's address is given under the run's locks; the precheck sees the request without it.
        precheck(conf.pool().isPresent() ? request.withAddress(new AddressSpec.None()) : request, guest, conf);
        CniResult addresses = new CniResult(List.of(), List.of(), List.of(), Map.of());
        if (ipam.isPresent()) {
            String out = ipam.get().delegate(env.forDelegate(Map.of()), stdin);
            try {
                addresses = CniResult.parse(Json.object(Json.parse(out.strip())));
            } catch (JsonException | CniError e) {
                releaseQuietly(ipam.get(), env, stdin);
                throw new CniError(CniError.IPAM_FAILED, "IPAM plugin \"" + ipam.get().type()
                        + "\" gave a result that cannot be read: " + e.getMessage());
            }
        }
        CniResult ips = addresses;
        Attachment made;
        try {
            made = new Attach(services, err, err).run(request, guest, conf.mtu(),
                    where -> addressSteps(where, env.ifname(), ips));
            if (conf.pool().isPresent()) {
                addresses = PoolIpam.result(services.ipam(), conf.pool().get(), env);
            }
        } catch (PipeworkException e) {
            ipam.ifPresent(i -> releaseQuietly(i, env, stdin));
            // pipework-dhcp's lease not come in time is the IPAM's failure, as a plugin's would be.
            throw new CniError(e instanceof dev.pipework.model.NoLeaseException ? CniError.IPAM_FAILED
                    : CniError.PLUMBING_FAILED, e.getMessage());
        } catch (RuntimeException e) {
            ipam.ifPresent(i -> releaseQuietly(i, env, stdin));
            throw e;
        }
        Map<String, Object> result = result(made, kept ? KeptDhcp.addresses(made) : addresses, env)
                .render(conf.cniVersion());
        try {
            records.write(new CniRecords.Record(env.containerId(), env.ifname(), env.netns(), conf.name(),
                    isVeth(made) ? made.hostInterface().orElse("") : "", raw, result));
        } catch (IOException e) {
            delQuietly(env, raw, stdin);
            throw new CniError(CniError.STATE_FAILED, "cannot record the attachment in " + records.dir() + ": "
                    + e.getMessage());
        }
        return result;
    }

    /** What the planner refuses is refused before IPAM hands out an address. */
    private void precheck(AttachRequest request, Guest guest, NetConf conf) {
        MachineView view = services.view();
        HostTarget target;
        try {
            target = planner.hostTarget(request, view);
        } catch (PipeworkException e) {
            throw new CniError(CniError.INVALID_CONFIG, e.getMessage(), "network \"" + conf.name() + "\"");
        }
        // The command line makes a macvlan on a NIC named as its host interface (the original's
        // meaning); a network's "bridge" is a bridge, and a NIC there is a mistake, not a macvlan.
        if (!conf.bridge().isEmpty() && target.kind() != HostTarget.Kind.LINUX_BRIDGE
                && target.kind() != HostTarget.Kind.OVS_BRIDGE) {
            throw new CniError(CniError.INVALID_CONFIG, "\"bridge\" names \"" + conf.bridge() + "\", a "
                    + target.kind().description() + ", not a bridge: name a Linux or Open vSwitch bridge, or set"
                    + " \"master\" for a macvlan on a NIC", "network \"" + conf.name() + "\"");
        }
        try {
            planner.planAttach(request, target, guest, view);
        } catch (InvalidValueException e) {
            throw new CniError(CniError.INVALID_CONFIG, e.getMessage());
        } catch (PipeworkException e) {
            throw new CniError(CniError.PLUMBING_FAILED, e.getMessage());
        }
    }

    /** The addresses in the container, then the routes, through each address's gateway when they name none. */
    static List<Step> addressSteps(Where where, String ifname, CniResult ips) {
        List<Step> steps = new ArrayList<>();
        Map<Family, IpAddress> gateways = new LinkedHashMap<>();
        for (CniResult.Ip ip : ips.ips()) {
            steps.add(new AddressSteps.AddAddress(where, ip.address().family(), ip.address(), ifname));
            ip.gateway().ifPresent(g -> gateways.putIfAbsent(g.family(), g));
        }
        for (CniResult.Route r : ips.routes()) {
            Family family = r.dst().family();
            Optional<IpAddress> gw = r.gw().or(() -> Optional.ofNullable(gateways.get(family)));
            steps.add(new AddressSteps.AddRouteVia(where, family, r.dst().toString(), gw, ifname));
        }
        return steps;
    }

    /** The interfaces made (the host end of a veth first), the IPAM result's addresses on the container's. */
    private CniResult result(Attachment made, CniResult ips, CniEnv env) {
        List<CniResult.Iface> ifaces = new ArrayList<>();
        if (isVeth(made) && made.hostInterface().isPresent()) {
            String host = made.hostInterface().get();
            String mac = services.host().link(host).map(LinkFacts::mac).orElse("");
            ifaces.add(new CniResult.Iface(host, mac, Optional.of(made.mtu()), Optional.empty()));
        }
        ifaces.add(new CniResult.Iface(env.ifname(), made.mac(), Optional.of(made.mtu()), Optional.of(env.netns())));
        return ips.withInterfaces(ifaces, ifaces.size() - 1);
    }

    private static boolean isVeth(Attachment a) {
        return a.kind() == AttachKind.LINUX || a.kind() == AttachKind.OVS || a.kind() == AttachKind.VETH;
    }

    /**
     * DEL: removes the interface (or, with the namespace gone, what outlives it: the Open vSwitch
     * port, a host end still there) and releases the address. Nothing there is success. The address
     * is released even when the links could not be removed (a DEL releases what it can); the
     * verb still fails then, and the record stays for the DEL the runtime retries.
     */
    void del(CniEnv env, Map<String, Object> raw, String stdin) {
        NetConf conf = NetConf.parse(raw, env, true);
        Optional<CniRecords.Record> record = records.read(env.containerId(), env.ifname());
        String hostInterface = madeOn(record, conf.hostInterface());
        if (!linuxBridge(hostInterface)) {
            // Before the guest is read (a process to wait for): the question to Open vSwitch's database
            // that follows (none on a Linux bridge, Planner.planNetworkDelete, which reads the bridge again
            // under the locks; this look, outside them, only spares the socket's set-up).
            OvsdbSocket.prepareIfServed();
        }
        String netns = !env.netns().isEmpty() ? env.netns() : record.map(CniRecords.Record::netns).orElse("");
        boolean present = !netns.isEmpty() && Files.exists(Path.of(netns))
                && record.map(r -> r.sameNamespace(netns)).orElse(true);
        RuntimeException unplumbed = null;
        try {
            Guest guest = present ? guest(env.containerId(), netns)
                    : new Guest(env.containerId(), CniRuntime.RUNTIME, Optional.of(env.containerId()), Optional.empty(), 0, "", 0);
            removeLinks(guest, env.ifname(), record.map(CniRecords.Record::hostEnd).orElse(""), hostInterface);
        } catch (PipeworkException e) {
            unplumbed = new CniError(CniError.PLUMBING_FAILED, e.getMessage());
        } catch (RuntimeException e) {
            unplumbed = e;
        }
        Optional<RuntimeException> unreleased = release(conf, env, raw, stdin);
        if (unplumbed != null) {
            if (unreleased.isPresent() && unplumbed instanceof CniError c) {
                throw new CniError(c.code(), c.getMessage(), "the address was not released either: "
                        + unreleased.get().getMessage());
            }
            unreleased.ifPresent(u -> err.println("pipework: releasing the address failed: " + u.getMessage()));
            throw unplumbed;
        }
        if (unreleased.isPresent()) {
            throw unreleased.get();
        }
        try {
            records.remove(env.containerId(), env.ifname());
        } catch (IOException e) {
            throw new CniError(CniError.STATE_FAILED, "cannot remove the record in " + records.dir() + ": " + e.getMessage());
        }
    }

    /**
     * The host interface the container's interface was made on: the one its record's configuration
     * names (a configuration edited since, its bridge replaced, still removes what the first made),
     * else {@code configured}.
     */
    static String madeOn(Optional<CniRecords.Record> record, String configured) {
        return record.flatMap(r -> NetConf.hostInterfaceIn(r.config())).orElse(configured);
    }

    /** Whether {@code name} is a Linux bridge now ({@code /sys/class/net/<name>/bridge}). */
    private static boolean linuxBridge(String name) {
        return dev.pipework.model.InterfaceName.valid(name) && Files.isDirectory(Path.of("/sys/class/net", name, "bridge"));
    }

    /** DEL's release of the address: the pool's, or the IPAM plugin's DEL; its failure, if any. */
    private Optional<RuntimeException> release(NetConf conf, CniEnv env, Map<String, Object> raw, String stdin) {
        try {
            if (conf.pool().isPresent()) {
                PoolIpam.release(services.ipam(), env.containerId(), env.ifname(), err);
            }
            // pipework-dhcp: removing the links released the leases of the kept clients.
            if (conf.ipamType().isPresent() && !conf.ipamType().get().equals(KeptDhcp.TYPE)) {
                Optional<Ipam> ipam = Ipam.find(conf.ipamType().get(), raw, env.path(), services.runner());
                if (ipam.isPresent()) {
                    ipam.get().delegate(env.forDelegate(Map.of()), stdin);
                } else {
                    err.println("pipework: IPAM plugin \"" + conf.ipamType().get() + "\" not found in CNI_PATH: no address released");
                }
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e);
        }
    }

    /**
     * The links of one container interface, found and removed under the locks of the network's host
     * interface and of the container's namespace, held open ({@link Sequence}).
     *
     * @param hostInterface the network's bridge or NIC, the link an ADD on it locks
     */
    void removeLinks(Guest guest, String ifname, String recordedHostEnd, String hostInterface) {
        new Sequence(services).run(List.of(hostInterface), Optional.of(guest), held -> {
            List<Step> steps = removal(held.guest(), guest, ifname, recordedHostEnd, hostInterface, held.view());
            if (steps.isEmpty()) {
                return null;
            }
            services.requireRoot(Services.CHANGES);
            try {
                held.execute(new Plan(steps, List.of(), List.of()));
            } catch (PipeworkException e) {
                // The kernel deletes the veth pair of a namespace whose last process ended by itself,
                // a while later (sooner or later under load): a host end it took between the reading
                // and "ip link del" fails the deletion, yet nothing is left. Read again, still locked.
                if (!nothingLeft(held.guest(), guest, ifname, recordedHostEnd, hostInterface)) {
                    throw e;
                }
            }
            return null;
        });
    }

    private List<Step> removal(Optional<Guest> held, Guest guest, String ifname, String recordedHostEnd,
                               String hostInterface, MachineView view) {
        List<Step> steps = new ArrayList<>(planner.planNetworkDelete(held, guest.token(), ifname, hostInterface, view)
                .steps());
        // A host end that outlived its namespace (held open elsewhere), still marked as pipework's.
        boolean alreadyPlanned = steps.stream()
                .anyMatch(s -> s instanceof LinkSteps.DeleteLink d && d.name().equals(recordedHostEnd));
        if (!recordedHostEnd.isEmpty() && !alreadyPlanned && guest.netnsPath().isEmpty()) {
            Optional<LinkFacts> link = view.link(recordedHostEnd);
            if (link.isPresent() && link.get().alias().equals("pipework")) {
                steps.add(new LinkSteps.DeleteLink(Where.HOST, recordedHostEnd));
            }
        }
        return steps;
    }

    private boolean nothingLeft(Optional<Guest> held, Guest guest, String ifname, String recordedHostEnd,
                                String hostInterface) {
        try {
            return removal(held, guest, ifname, recordedHostEnd, hostInterface, services.view()).isEmpty();
        } catch (PipeworkException e) {
            return false;
        }
    }

    private Guest guest(CniEnv env) {
        return guest(env.containerId(), env.netns());
    }

    private static Guest guest(String containerId, String netns) {
        try {
            return CniRuntime.guest(containerId, netns);
        } catch (PipeworkException e) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_NETNS: " + e.getMessage());
        }
    }

    private void releaseQuietly(Ipam ipam, CniEnv env, String stdin) {
        try {
            ipam.delegate(env.forDelegate(Map.of("CNI_COMMAND", "DEL")), stdin);
        } catch (CniError e) {
            err.println("pipework: releasing the address failed: " + e.getMessage());
        }
    }

    private void delQuietly(CniEnv env, Map<String, Object> raw, String stdin) {
        try {
            del(env, raw, stdin);
        } catch (RuntimeException e) {
            err.println("pipework: undoing the attach failed: " + e.getMessage());
        }
    }
}
