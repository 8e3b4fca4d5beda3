package dev.pipework.driver;

import dev.pipework.model.IpCidr;
import dev.pipework.model.PipeworkException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** What a CreateNetwork request's IPAM data says (pools, gateways), and the subnets a network may have. */
final class NetworkSubnets {
    private NetworkSubnets() {
    }

    /**
     * A subnet one broadcast domain (a bridge, or a bridge's VLAN, or a NIC) cannot carry: one that
     * overlaps a subnet of another pipework network there, whose containers would get the same
     * addresses from another pool and answer each other's ARP. The same subnet on two VLANs is two
     * domains, and allowed.
     */
    static void checkSubnets(DriverState state, String id, NetworkOptions opts, List<String> subnets,
                             Function<Map<String, Object>, Optional<String>> hostInterfaceOf) {
        for (Map<String, Object> other : state.all(DriverState.Kind.NETWORK).values()) {
            if (id.equals(other.get("id")) || hostInterfaceOf.apply(other).filter(opts.hostInterface()::equals).isEmpty()) {
                continue;
            }
            Optional<String> vlan = Optional.ofNullable(other.get("options") instanceof Map<?, ?> o ? o.get("vlan") : null)
                    .map(String::valueOf);
            if (!vlan.equals(opts.vlan().map(Object::toString))) {
                continue;
            }
            for (Object theirs : other.get("subnets") instanceof List<?> l ? l : List.of()) {
                for (String ours : subnets) {
                    IpCidr a = IpCidr.parse(ours);
                    IpCidr b = IpCidr.parse(String.valueOf(theirs));
                    if (a.contains(b.bytes()) || b.contains(a.bytes())) {
                        throw new PipeworkException("subnet " + ours + " overlaps " + theirs + " of network "
                                + NetworkDriver.shortId(String.valueOf(other.get("id"))) + " on " + opts.hostInterface()
                                + vlan.map(v -> " (VLAN " + v + ")").orElse("") + ": one broadcast domain cannot carry"
                                + " both (another bridge, or another VLAN)");
                    }
                }
            }
        }
    }

    static Optional<String> pool(Map<String, Object> req, String key) {
        if (!(req.get(key) instanceof List<?> data) || data.isEmpty() || !(data.get(0) instanceof Map<?, ?> first)) {
            return Optional.empty();
        }
        return first.get("Pool") instanceof String p && !p.isEmpty() ? Optional.of(p) : Optional.empty();
    }

    static Optional<String> gateway(Map<String, Object> req, String key) {
        if (!(req.get(key) instanceof List<?> data) || data.isEmpty() || !(data.get(0) instanceof Map<?, ?> first)) {
            return Optional.empty();
        }
        Object gw = first.get("Gateway");
        if (!(gw instanceof String s) || s.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(s.contains("/") ? s.substring(0, s.indexOf('/')) : s);
    }
}
