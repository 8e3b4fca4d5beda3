package dev.pipework.cni;

import dev.pipework.guest.CniRuntime;
import dev.pipework.ipam.Holder;
import dev.pipework.ipam.Ipam;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.Family;
import dev.pipework.model.IpCidr;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Pool;
import dev.pipework.model.PoolAddress;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code "ipam": {"type": "pipework", "pool": <name>, "defaultRoute": <bool>}}: the plugin's
 * addresses from pipework's own pools, in this process. ADD claims through {@code run.Attach} (under
 * the run's locks, given back when it fails), with the container ID and {@code CNI_IFNAME} as the
 * holder; DEL and GC give back; CHECK finds the address held and on the interface.
 */
final class PoolIpam {
    private PoolIpam() {
    }

    static Holder holder(String containerId, String ifname) {
        return new Holder(CniRuntime.RUNTIME.key(), containerId, ifname);
    }

    /** The address the pool holds for this container's interface, as an IPAM plugin's result. */
    static CniResult result(Ipam ipam, AddressSpec.FromPool from, CniEnv env) {
        PoolAddress held = held(ipam, from.pool(), env.containerId(), env.ifname()).orElseThrow(() ->
                new PipeworkException("pool \"" + from.pool() + "\" holds no address for " + env.containerId() + "/"
                        + env.ifname() + " after the attach"));
        Pool pool = ipam.pools().pool(from.pool()).orElseThrow();
        Map<String, Object> ip = new LinkedHashMap<>();
        ip.put("address", held.address());
        pool.gateway().ifPresent(g -> ip.put("gateway", g.toString()));
        List<Object> routes = new ArrayList<>();
        if (from.route() && pool.gateway().isPresent()) {
            Map<String, Object> route = new LinkedHashMap<>();
            route.put("dst", pool.subnet().family() == Family.INET ? "0.0.0.0/0" : "::/0");
            route.put("gw", pool.gateway().get().toString());
            routes.add(route);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cniVersion", NetConf.LATEST);
        json.put("ips", List.of(ip));
        json.put("routes", routes);
        return CniResult.parse(json);
    }

    /** What the pool holds (claimed or held) for this container's interface. */
    static Optional<PoolAddress> held(Ipam ipam, String pool, String containerId, String ifname) {
        Holder h = holder(containerId, ifname);
        return ipam.addresses().stream().filter(a -> a.pool().equals(pool) && a.runtime().equals(h.runtime())
                && a.id().equals(h.id()) && a.iface().equals(h.iface()) && !a.state().equals("cooling")).findFirst();
    }

    /** Gives back the container interface's addresses, saying which. */
    static void release(Ipam ipam, String containerId, String ifname, PrintStream err) {
        for (PoolAddress given : ipam.release(holder(containerId, ifname), false)) {
            err.println("pipework: gave back " + given.address() + " to pool \"" + given.pool() + "\"");
        }
    }

    /** CHECK: the pool holds an address for the interface, and the interface has it. */
    static void check(Ipam ipam, AddressSpec.FromPool from, CniEnv env, List<String> addresses) {
        Optional<PoolAddress> held = held(ipam, from.pool(), env.containerId(), env.ifname());
        if (held.isEmpty()) {
            throw new CniError(CniError.CHECK_FAILED, "pool \"" + from.pool() + "\" holds no address for "
                    + env.containerId() + "/" + env.ifname());
        }
        IpCidr want = IpCidr.parse(held.get().address());
        if (addresses.stream().noneMatch(a -> a.equals(want.toString()))) {
            throw new CniError(CniError.CHECK_FAILED, "interface " + env.ifname() + " has not the address "
                    + want + " that pool \"" + from.pool() + "\" holds for it");
        }
    }

    /** The pool of a recorded configuration, for GC. */
    static boolean fromPool(Map<String, Object> config) {
        return config.get("ipam") instanceof Map<?, ?> m && "pipework".equals(m.get("type")) && m.get("pool") != null;
    }
}
