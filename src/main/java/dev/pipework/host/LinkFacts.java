package dev.pipework.host;

/**
 * What the planner needs to know of one host link, read from sysfs.
 *
 * @param type         ARPHRD type from {@code /sys/class/net/<name>/type} (1 Ethernet, 32 InfiniBand)
 * @param up           the administrative IFF_UP flag (what {@code ip link show up} filters on)
 * @param linuxBridge  {@code /sys/class/net/<name>/bridge} exists
 */
public record LinkFacts(String name, int type, int mtu, boolean up, boolean linuxBridge, String mac) {
}
