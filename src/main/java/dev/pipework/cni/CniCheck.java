package dev.pipework.cni;

import dev.pipework.guest.CniRuntime;
import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.Family;
import dev.pipework.model.Guest;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.AttachKind;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.Planner;
import dev.pipework.run.Sequence;
import dev.pipework.run.Services;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.Where;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * CHECK: the container interface, its addresses and routes, and the host end, compared with the
 * result ADD gave ({@code prevResult}); a difference fails, naming each thing that drifted.
 */
final class CniCheck {
    private final Services services;
    private final Planner planner = new Planner();

    CniCheck(Services services) {
        this.services = services;
    }

    void check(CniEnv env, Map<String, Object> raw, String stdin) {
        NetConf conf = NetConf.parse(raw, env, false);
        if (conf.cniVersion().startsWith("0.3.")) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "CHECK needs cniVersion 0.4.0 or later, and the "
                    + "configuration says " + conf.cniVersion());
        }
        Map<String, Object> prevJson = conf.prevResult().orElseThrow(() -> new CniError(CniError.INVALID_CONFIG,
                "prevResult is missing: CHECK compares with the result of ADD"));
        CniResult prev = CniResult.parse(prevJson);
        // pipework-dhcp runs no plugin: the addresses the kept clients hold are compared below.
        if (conf.ipamType().isPresent() && !conf.ipamType().get().equals(KeptDhcp.TYPE)) {
            Ipam.require(conf.ipamType().get(), raw, env.path(), services.runner()).delegate(env.forDelegate(Map.of()), stdin);
        }
        if (!Files.exists(Path.of(env.netns()))) {
            throw new CniError(CniError.CHECK_FAILED, "the network namespace " + env.netns() + " is gone");
        }
        Guest guest;
        List<Attachment> attachments;
        try {
            guest = CniRuntime.guest(env.containerId(), env.netns());
            attachments = new Sequence(services).run(List.of(conf.hostInterface()), Optional.of(guest),
                    held -> planner.attachments(held.guest().orElseThrow(), held.view()));
        } catch (PipeworkException e) {
            throw new CniError(CniError.CHECK_FAILED, e.getMessage());
        }
        Attachment a = attachments.stream().filter(x -> x.containerInterface().equals(env.ifname())).findFirst()
                .orElseThrow(() -> new CniError(CniError.CHECK_FAILED, "interface " + env.ifname()
                        + " is not in " + env.netns() + " (or is not pipework's)"));
        if (conf.pool().isPresent()) {
            PoolIpam.check(services.ipam(), conf.pool().get(), env, a.addresses());
        }
        List<String> drift = new ArrayList<>();
        int index = -1;
        for (int i = 0; i < prev.interfaces().size(); i++) {
            CniResult.Iface want = prev.interfaces().get(i);
            if (want.sandbox().isPresent() && want.name().equals(env.ifname())) {
                index = i;
                if (!want.mac().isEmpty() && !want.mac().equalsIgnoreCase(a.mac())) {
                    drift.add("interface " + env.ifname() + ": MAC " + a.mac() + ", expected " + want.mac());
                }
            } else if (want.sandbox().isEmpty() && a.hostInterface().isPresent()
                    && a.kind() != AttachKind.MACVLAN && !want.name().equals(a.hostInterface().get())) {
                drift.add("host end: " + a.hostInterface().get() + ", expected " + want.name());
            }
        }
        if (index < 0) {
            throw new CniError(CniError.CHECK_FAILED, "prevResult has no interface " + env.ifname() + " in a sandbox");
        }
        if (conf.mtu().isPresent() && conf.mtu().get() != a.mtu()) {
            drift.add("interface " + env.ifname() + ": MTU " + a.mtu() + ", expected " + conf.mtu().get());
        }
        if (!conf.bridge().isEmpty() && !a.bridge().equals(Optional.of(conf.bridge()))) {
            drift.add("host end: on bridge " + a.bridge().orElse("(none)") + ", expected " + conf.bridge());
        }
        if (!conf.bridge().isEmpty() && !a.vlan().equals(conf.vlan().map(v -> v.id()))) {
            drift.add("host end: VLAN " + a.vlan().map(Object::toString).orElse("(none)") + ", expected "
                    + conf.vlan().map(Object::toString).orElse("(none)"));
        }
        Set<String> have = new HashSet<>(a.addresses());
        Map<Family, IpAddress> gateways = new LinkedHashMap<>();
        for (CniResult.Ip ip : prev.ips()) {
            if (ip.iface().isPresent() && (ip.iface().get() < 0 || ip.iface().get() >= prev.interfaces().size())) {
                // An address of an interface prevResult does not list is checked against nothing.
                throw new CniError(CniError.CHECK_FAILED, "prevResult: address " + ip.address() + " names interface "
                        + ip.iface().get() + ", but only " + prev.interfaces().size() + " are listed");
            }
            if (ip.iface().isPresent() && ip.iface().get() != index) {
                continue;
            }
            ip.gateway().ifPresent(g -> gateways.putIfAbsent(g.family(), g));
            if (!have.contains(ip.address().toString())) {
                drift.add("interface " + env.ifname() + ": address " + ip.address() + " is missing");
            }
        }
        Set<String> routes = routes(Where.guest(guest.netnsPath()), env.ifname());
        for (CniResult.Route r : prev.routes()) {
            Optional<IpAddress> gw = r.gw().or(() -> Optional.ofNullable(gateways.get(r.dst().family())));
            String route = r.dst() + gw.map(g -> " via " + g).orElse("");
            if (!routes.contains(route)) {
                drift.add("interface " + env.ifname() + ": route " + route + " is missing");
            }
        }
        if (!drift.isEmpty()) {
            throw new CniError(CniError.CHECK_FAILED, String.join("; ", drift));
        }
    }

    /** The interface's routes, as {@code <dst/prefix>[ via <gw>]}. */
    private Set<String> routes(Where in, String ifname) {
        Set<String> routes = new HashSet<>();
        for (Family family : Family.values()) {
            CommandResult r = services.runner().run(in.wrap(List.of("ip", "-j", family.ipFlag(), "route", "show",
                    "dev", ifname)));
            if (!r.succeeded()) {
                throw new CniError(CniError.CHECK_FAILED, "cannot read the routes of " + ifname + ": " + r.reason());
            }
            try {
                for (Object o : Json.array(Json.parse(r.stdout().isBlank() ? "[]" : r.stdout().strip()))) {
                    Map<String, Object> m = Json.object(o);
                    String dst = Optional.ofNullable(Json.string(m, "dst")).orElse("");
                    if (dst.equals("default")) {
                        dst = family == Family.INET ? "0.0.0.0/0" : "::/0";
                    } else if (!dst.contains("/")) {
                        dst = dst + "/" + family.bits();
                    }
                    String gw = Json.string(m, "gateway");
                    routes.add(IpCidr.parse(dst) + (gw == null ? "" : " via " + IpAddress.parse(gw)));
                }
            } catch (JsonException | InvalidValueException e) {
                throw new CniError(CniError.CHECK_FAILED, "cannot read the routes of " + ifname + ": " + e.getMessage());
            }
        }
        return routes;
    }
}
