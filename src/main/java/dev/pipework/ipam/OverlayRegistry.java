package dev.pipework.ipam;

import dev.pipework.model.PipeworkException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The VTEPs of the overlays whose peers are kept in etcd, in the pools' store: one key a host and
 * VNI, {@code pipework/overlay/<vni>/<host>}, its value the host's underlay address, held by a
 * lease of this host that {@link #keepAlive()} renews. A host that stops renewing (dead, cut off)
 * loses its keys when the lease's TTL runs out, and the other hosts' keepers drop it. What the
 * keys hold is the other hosts' word: the planner checks each value before it becomes a peer.
 */
public final class OverlayRegistry implements AutoCloseable {
    /** Why {@code peers etcd} cannot be: no etcd store named. */
    public static final String NO_ETCD = "peers etcd: no etcd store is configured (store = etcd://<host>:<port>[,...]"
            + " in /etc/pipework/pools, or PIPEWORK_IPAM_STORE); name the other hosts instead (peers 192.0.2.2,192.0.2.3)";

    static final String ROOT = "pipework/overlay/";
    private static final Duration BOUND = Duration.ofSeconds(2);

    /** One host's registration as read: its name (from the key) and the address it gave. */
    public record Vtep(String host, String address) {
    }

    private final EtcdGateway gateway;
    private final String host;
    private final long ttl;
    /** This boot of this machine ({@code /proc/sys/kernel/random/boot_id}), written beside each address. */
    private final String boot;
    private long lease;
    private final Map<Integer, String> registered = new HashMap<>();

    OverlayRegistry(EtcdGateway gateway, String host, long ttl, String boot) {
        this.gateway = gateway;
        this.host = host;
        this.ttl = ttl;
        this.boot = boot;
    }

    static OverlayRegistry open(String url, Map<String, String> tls, String host, long ttl) {
        EtcdStore.checkHost(host);
        return new OverlayRegistry(EtcdStore.gateway(url, tls, BOUND), host, ttl, EtcdStore.bootId());
    }

    /** The store as messages name it. */
    public String shown() {
        return gateway.shown();
    }

    public String host() {
        return host;
    }

    static String key(int vni, String host) {
        return ROOT + vni + "/" + host;
    }

    /**
     * Registers this host's address for each VNI, under its lease (granted when it has none), and
     * withdraws the VNIs no longer asked for. A key already holding the address is not written again.
     */
    public synchronized void register(Map<Integer, String> addressByVni) {
        if (lease == 0 && !addressByVni.isEmpty()) {
            lease = gateway.grant(ttl);
            registered.clear();
        }
        for (Map.Entry<Integer, String> e : addressByVni.entrySet()) {
            if (!e.getValue().equals(registered.get(e.getKey()))) {
                write(e.getKey(), e.getValue());
                registered.put(e.getKey(), e.getValue());
            }
        }
        for (Integer vni : new ArrayList<>(registered.keySet())) {
            if (!addressByVni.containsKey(vni)) {
                gateway.txn(List.of(), List.of(new EtcdGateway.Delete(key(vni, host))));
                registered.remove(vni);
            }
        }
    }

    /**
     * Writes this host's key under its lease, unless another machine holds it: a key of another
     * lease written by another boot is another machine's running under this host's name (a clone of
     * one /etc/machine-id), and two keepers writing one key would leave one of the machines unseen.
     * A key of this boot under another lease is an earlier keeper's (stopped, or killed before it
     * gave its lease back): taken over.
     */
    private void write(int vni, String address) {
        String key = key(vni, host);
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("address", address);
        fields.put("boot", boot);
        String value = dev.pipework.json.Json.write(fields);
        for (int attempt = 1; attempt <= 5; attempt++) {
            EtcdGateway.Compare unchanged = new EtcdGateway.Absent(key);
            for (EtcdGateway.Kv kv : gateway.range(key)) {
                if (!kv.key().equals(key)) {
                    continue;
                }
                String other = field(kv.value(), "boot");
                if (kv.lease() != lease && other != null && !other.equals(boot)) {
                    throw new PipeworkException("etcd store " + gateway.shown() + ": overlay VNI " + vni + ": host name \""
                            + host + "\" is registered by another machine (boot " + other + ", address "
                            + addressOf(kv.value()) + ") under a lease still alive: two machines share this host name,"
                            + " as clones of one /etc/machine-id do (give each its own: PIPEWORK_HOST), or this machine"
                            + " started again within that lease's " + ttl + " s (taken when it runs out)");
                }
                unchanged = new EtcdGateway.Unchanged(key, kv.modRevision());
            }
            if (gateway.txn(List.of(unchanged), List.of(new EtcdGateway.Put(key, value, lease)))) {
                return;
            }
        }
        throw new PipeworkException("etcd store " + gateway.shown() + ": overlay VNI " + vni + ": the key of host \""
                + host + "\" changed under each of 5 attempts to write it");
    }

    /** A registration's address: its {@code address}, or the whole value when it is not one of ours. */
    static String addressOf(String value) {
        String address = field(value, "address");
        return address != null ? address : value;
    }

    private static String field(String value, String name) {
        try {
            return dev.pipework.json.Json.parse(value) instanceof Map<?, ?> m && m.get(name) instanceof String v ? v : null;
        } catch (dev.pipework.json.JsonException e) {
            return null;
        }
    }

    /**
     * Renews the lease. One that expired meanwhile (etcd unreachable longer than the TTL) took the
     * keys with it: the next {@link #register} grants a new one and writes them again.
     *
     * @return whether the lease was still alive
     */
    public synchronized boolean keepAlive() {
        if (lease == 0) {
            return true;
        }
        if (gateway.keepAlive(lease) > 0) {
            return true;
        }
        lease = 0;
        registered.clear();
        return false;
    }

    /** The other hosts registered for the VNI. */
    public List<Vtep> peers(int vni) {
        String prefix = ROOT + vni + "/";
        List<Vtep> peers = new ArrayList<>();
        for (EtcdGateway.Kv kv : gateway.range(prefix)) {
            String name = kv.key().substring(prefix.length());
            if (!name.equals(host)) {
                peers.add(new Vtep(name, addressOf(kv.value())));
            }
        }
        return peers;
    }

    /**
     * Follows every change under the overlays' keys: {@code onChange} runs once the watch is
     * created and after each batch of changes. Returns when the stream ends or stays quiet for a
     * while (a partition can leave it open and dead); fails when no member takes it.
     */
    public void watch(Runnable onChange) {
        gateway.watch(ROOT, line -> onChange.run());
    }

    /** Gives the lease back: this host's keys go now rather than at the TTL's end. */
    @Override
    public synchronized void close() {
        if (lease != 0) {
            try {
                gateway.revoke(lease);
            } catch (PipeworkException e) {
                // Unreachable: the keys go when the lease expires.
            }
            lease = 0;
        }
    }
}
