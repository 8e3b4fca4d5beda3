package dev.pipework.cni;

import dev.pipework.guest.CniRecords;
import dev.pipework.guest.CniRuntime;
import dev.pipework.json.Json;
import dev.pipework.model.Guest;
import dev.pipework.run.Services;
import dev.pipework.sys.CommandResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The verbs about the plugin rather than one container: VERSION, STATUS and GC. */
final class CniMaintenance {
    private final Services services;
    private final CniRecords records;
    private final PrintStream err;

    CniMaintenance(Services services, CniRecords records, PrintStream err) {
        this.services = services;
        this.records = records;
        this.err = err;
    }

    /** VERSION: the versions spoken, in the version asked for (or the latest). */
    static Map<String, Object> version(Map<String, Object> raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cniVersion", NetConf.versionFor(raw));
        out.put("supportedVersions", new ArrayList<Object>(NetConf.VERSIONS));
        return out;
    }

    /** STATUS: whether ADD could work now: {@code ip}, Open vSwitch for an OVS bridge, the IPAM plugin. */
    void status(CniEnv env, Map<String, Object> raw) {
        NetConf conf = NetConf.parse(raw, env, false);
        if (!services.host().commandInstalled("ip")) {
            throw new CniError(CniError.NOT_AVAILABLE, "ip (iproute2) is not installed");
        }
        String bridge = conf.bridge();
        boolean ovs = !bridge.isEmpty() && (services.host().isOvsBridge(bridge)
                || (bridge.startsWith("ovs") && services.host().link(bridge).isEmpty()));
        if (ovs) {
            if (!services.host().ovsInstalled()) {
                throw new CniError(CniError.NOT_AVAILABLE, "ovs-vsctl is not installed, and bridge " + bridge
                        + " is an Open vSwitch bridge");
            }
            CommandResult r = services.runner().run(List.of("ovs-vsctl", "--timeout=5", "show"));
            if (!r.succeeded()) {
                throw new CniError(CniError.NOT_AVAILABLE, "Open vSwitch does not answer: " + r.reason());
            }
        }
        if (conf.ipamType().isPresent() && !conf.ipamType().get().equals(KeptDhcp.TYPE)
                && Ipam.find(conf.ipamType().get(), raw, env.path(), services.runner()).isEmpty()) {
            throw new CniError(CniError.NOT_AVAILABLE, "IPAM plugin \"" + conf.ipamType().get()
                    + "\" not found in CNI_PATH", "searched: " + String.join(":", env.path()));
        }
    }

    /**
     * GC: removes this network's attachments whose container and interface are not among
     * {@code cni.dev/valid-attachments}, and releases their addresses.
     */
    void gc(CniEnv env, Map<String, Object> raw, CniPlugin plugin) {
        NetConf conf = NetConf.parse(raw, env, true);
        Set<String> valid = new HashSet<>();
        Object list = raw.get("cni.dev/valid-attachments");
        if (list != null) {
            for (Object o : Json.array(list)) {
                Map<String, Object> m = Json.object(o);
                valid.add(Json.string(m, "containerID") + "/" + Json.string(m, "ifname"));
            }
        }
        List<String> failed = new ArrayList<>();
        for (CniRecords.Record r : records.all()) {
            if (!r.network().equals(conf.name()) || valid.contains(r.containerId() + "/" + r.ifname())) {
                continue;
            }
            try {
                boolean present = !r.netns().isEmpty() && Files.exists(Path.of(r.netns()))
                        && r.sameNamespace(r.netns());
                Guest guest = present ? CniRuntime.guest(r.containerId(), r.netns())
                        : new Guest(r.containerId(), CniRuntime.RUNTIME, Optional.of(r.containerId()), Optional.empty(),
                        0, "", 0);
                // The address is released even when the links could not be removed, as DEL does; the
                // record then stays, and the next collection tries the links (and the release) again.
                RuntimeException unplumbed = null;
                try {
                    plugin.removeLinks(guest, r.ifname(), r.hostEnd(), CniPlugin.madeOn(Optional.of(r), conf.hostInterface()));
                } catch (RuntimeException e) {
                    unplumbed = e;
                }
                Object ipam = r.config().get("ipam");
                if (PoolIpam.fromPool(r.config())) {
                    PoolIpam.release(services.ipam(), r.containerId(), r.ifname(), err);
                } else if (ipam instanceof Map<?, ?> m && m.get("type") instanceof String type) {
                    Optional<Ipam> plugin2 = Ipam.find(type, r.config(), env.path(), services.runner());
                    if (plugin2.isPresent()) {
                        Map<String, String> vars = new LinkedHashMap<>(env.forDelegate(Map.of()));
                        vars.put("CNI_COMMAND", "DEL");
                        vars.put("CNI_CONTAINERID", r.containerId());
                        vars.put("CNI_IFNAME", r.ifname());
                        vars.put("CNI_NETNS", present ? r.netns() : "");
                        Map<String, Object> config = new LinkedHashMap<>(r.config());
                        config.remove("prevResult");
                        plugin2.get().delegate(vars, Json.write(config));
                    }
                }
                if (unplumbed != null) {
                    throw unplumbed;
                }
                records.remove(r.containerId(), r.ifname());
                err.println("pipework: collected " + r.containerId() + "/" + r.ifname());
            } catch (RuntimeException | IOException e) {
                failed.add(r.containerId() + "/" + r.ifname() + ": " + e.getMessage());
            }
        }
        if (conf.pool().isPresent()) {
            // Addresses of this network's pool held for attachments the runtime no longer has, recorded or not;
            // a pool may serve other networks too: what their records hold is theirs to collect.
            String runtime = PoolIpam.holder("x", "x").runtime();
            Set<String> otherNetworks = new HashSet<>();
            for (CniRecords.Record r : records.all()) {
                if (!r.network().equals(conf.name())) {
                    otherNetworks.add(r.containerId() + "/" + r.ifname());
                }
            }
            for (var given : services.ipam().releaseWhere(conf.pool().get().pool(),
                    h -> h.runtime().equals(runtime) && !valid.contains(h.id() + "/" + h.iface())
                            && !otherNetworks.contains(h.id() + "/" + h.iface()))) {
                err.println("pipework: gave back " + given.address() + " to pool \"" + given.pool() + "\"");
            }
        }
        if (!failed.isEmpty()) {
            throw new CniError(CniError.PLUMBING_FAILED, "garbage collection left " + failed.size()
                    + " attachment(s)", String.join("; ", failed));
        }
    }
}
