package dev.pipework.cni;

import dev.pipework.json.Json;
import dev.pipework.model.AddressSpec;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpCidr;
import dev.pipework.plan.Attachment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code "ipam": {"type": "pipework-dhcp", ...}}: addresses by DHCP with the command line's kept
 * clients, in the plugin's own process: no IPAM plugin runs and no daemon is needed, the lease
 * keeper renews the lease, DEL releases it. Keys: {@code client} ({@code dhclient}, the default, or
 * {@code udhcpc}; {@code none} for IPv6 alone), {@code ipv6} ({@code dhcp6} or {@code slaac}),
 * {@code timeout} (seconds for the first lease, 1-3600; 60 by default).
 */
final class KeptDhcp {
    static final String TYPE = "pipework-dhcp";

    private KeptDhcp() {
    }

    /** The address request the netconf's ipam object makes. */
    static AddressSpec.Dhcp spec(Map<String, Object> raw) {
        Map<String, Object> ipam = Json.object(raw.get("ipam"));
        Object client = ipam.getOrDefault("client", "dhclient");
        if (!(client instanceof String c) || !List.of("dhclient", "udhcpc", AddressSpec.Dhcp.NO_CLIENT).contains(c)) {
            throw new InvalidValueException("ipam: client \"" + client + "\" is not dhclient, udhcpc or none");
        }
        Optional<AddressSpec.Ipv6Mode> ipv6 = Optional.empty();
        if (ipam.containsKey("ipv6")) {
            ipv6 = ipam.get("ipv6") instanceof String w ? AddressSpec.Ipv6Mode.of(w) : Optional.empty();
            if (ipv6.isEmpty()) {
                throw new InvalidValueException("ipam: ipv6 \"" + ipam.get("ipv6") + "\" is not dhcp6 or slaac");
            }
        }
        if (c.equals(AddressSpec.Dhcp.NO_CLIENT) && ipv6.isEmpty()) {
            throw new InvalidValueException("ipam: client \"none\" needs ipv6 (dhcp6 or slaac)");
        }
        Optional<Integer> timeout = Optional.empty();
        if (ipam.containsKey("timeout")) {
            if (!(ipam.get("timeout") instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                throw new InvalidValueException("ipam: timeout must be whole seconds (1-3600)");
            }
            timeout = Optional.of(n.intValue());
        }
        return new AddressSpec.Dhcp(c, false, "", timeout, ipv6);
    }

    /** The addresses the kernel shows on the interface once the clients have their leases. */
    static CniResult addresses(Attachment made) {
        List<CniResult.Ip> ips = new ArrayList<>();
        for (String a : made.addresses()) {
            ips.add(new CniResult.Ip(IpCidr.parse(a), Optional.empty(), Optional.empty()));
        }
        return new CniResult(List.of(), ips, List.of(), Map.of());
    }
}
