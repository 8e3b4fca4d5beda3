package dev.pipework.plan;

import java.util.Optional;

/**
 * What the planner needs to know of one host link, read from sysfs and procfs.
 *
 * @param type         ARPHRD type from {@code /sys/class/net/<name>/type} (1 Ethernet, 32 InfiniBand)
 * @param up           the administrative IFF_UP flag (what {@code ip link show up} filters on)
 * @param linuxBridge  {@code /sys/class/net/<name>/bridge} exists
 * @param vlanId       the 802.1Q ID when it is a VLAN device ({@code /proc/net/vlan/<name>})
 * @param wirelessPhy  the wiphy it belongs to when it is a wireless NIC ({@code phy80211/name}), which
 *                     moves between namespaces with {@code iw phy}, not {@code ip link}
 * @param alias        {@code ifalias}
 */
public record LinkFacts(String name, int type, int mtu, boolean up, boolean linuxBridge, String mac,
                        Optional<Integer> vlanId, Optional<String> wirelessPhy, String alias) {

    /** A plain Ethernet-like link, for tests and defaults. */
    public LinkFacts(String name, int type, int mtu, boolean up, boolean linuxBridge, String mac) {
        this(name, type, mtu, up, linuxBridge, mac, Optional.empty(), Optional.empty(), "");
    }
}
