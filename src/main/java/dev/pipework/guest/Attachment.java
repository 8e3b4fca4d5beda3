package dev.pipework.guest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One interface an attach plumbed into a guest, as the live kernel and Open vSwitch show it.
 *
 * @param containerInterface its name in the guest
 * @param addresses          its global addresses, {@code address/prefix}
 * @param hostInterface      the host end: the veth peer (or the macvlan's parent, the NIC's own name)
 * @param bridge             the bridge the host end is a port of
 * @param kind               {@code linux} or {@code ovs} (a veth on that kind of bridge), {@code veth} (a
 *                           veth on no bridge), {@code macvlan}, {@code direct}, {@code dummy}, {@code ipoib}
 * @param originalMac        for a NIC moved whole, the MAC it had on the host
 */
public record Attachment(Guest guest, String containerInterface, String mac, int mtu, String state,
                         List<String> addresses, Optional<String> hostInterface, Optional<String> bridge,
                         String kind, Optional<Integer> vlan, Optional<String> originalMac) {

    /** The attachment as a JSON-ready map. */
    public Map<String, Object> toJson() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("name", guest.containerName().map(n -> n.startsWith("/") ? n.substring(1) : n).orElse(guest.token()));
        g.put("id", guest.containerId().orElse(null));
        g.put("pid", guest.pid() > 0 ? guest.pid() : null);
        g.put("kind", guest.kind().name().toLowerCase(java.util.Locale.ROOT));
        Map<String, Object> inside = new LinkedHashMap<>();
        inside.put("name", containerInterface);
        inside.put("mac", mac);
        inside.put("mtu", mtu);
        inside.put("state", state);
        inside.put("addresses", addresses);
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("interface", hostInterface.orElse(null));
        host.put("bridge", bridge.orElse(null));
        host.put("kind", kind);
        host.put("vlan", vlan.orElse(null));
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("guest", g);
        all.put("interface", inside);
        all.put("host", host);
        return all;
    }
}
