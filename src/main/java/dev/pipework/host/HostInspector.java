package dev.pipework.host;

import dev.pipework.plan.HostLink;
import dev.pipework.plan.LinkFacts;
import dev.pipework.plan.OvsPort;

import java.util.Map;
import java.util.Optional;

/** Read-only questions about the host; the only place that looks at the host's network state. */
public interface HostInspector {

    Optional<LinkFacts> link(String name);

    /** The name of the host link with this hardware address, as {@code /sys/class/net/<if>/address} shows it. */
    Optional<String> linkWithMac(String mac);

    boolean ovsInstalled();

    /** Whether Open vSwitch knows a bridge of this name ({@code ovs-vsctl br-exists}). */
    boolean isOvsBridge(String name);

    /** Whether the kernel datapath of Open vSwitch is loaded; without it only {@code datapath_type=netdev} bridges work. */
    boolean ovsKernelDatapath();

    boolean commandInstalled(String command);

    /** Every host link, by index. */
    Map<Integer, HostLink> links();

    /**
     * Every host link, by index, as {@link #links()} shows them, read to answer questions about many
     * guests: where the JVM reads rtnetlink, one dump in place of a few files a link.
     */
    default Map<Integer, HostLink> linksOfMany() {
        return links();
    }

    /** The names of every host link. */
    default java.util.Set<String> linkNames() {
        return links().values().stream().map(HostLink::name).collect(java.util.stream.Collectors.toSet());
    }

    /** Whether the host has a link of this name, as {@link #linkNames()} shows it. */
    default boolean linkExists(String name) {
        return linkNames().contains(name);
    }

    /** The name of every host link, by its index. */
    default Map<Integer, String> linkNamesByIndex() {
        Map<Integer, String> names = new java.util.HashMap<>();
        links().forEach((index, link) -> names.put(index, link.name()));
        return names;
    }

    /** The host link of this name, as {@link #links()} would show it. */
    default Optional<HostLink> hostLink(String name) {
        return links().values().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** Every Open vSwitch port, by name; empty when Open vSwitch is not installed or does not answer. */
    Map<String, OvsPort> ovsPorts();

    /**
     * Every Open vSwitch port, by name, and when there are none because the switch's database did
     * not answer, the line that says so.
     */
    default OvsPorts ovsPortsRead() {
        return new OvsPorts(ovsPorts(), Optional.empty());
    }

    /**
     * The Open vSwitch ports of these names, as {@link #ovsPortsRead()} shows them, asked alone: what
     * a run about one guest needs of the switch's database, in an answer that does not grow with it.
     * Empty when they cannot be asked so: then every port is read.
     */
    default Optional<OvsPorts> ovsPortsNamed(java.util.Collection<String> names) {
        return Optional.empty();
    }

    /**
     * The Open vSwitch ports whose interface records {@code key=value} among its external-ids, asked
     * alone as {@link #ovsPortsNamed}; of those, the ones in {@code known} (read by name a moment
     * before) are not read again.
     */
    default Optional<OvsPorts> ovsPortsRecording(String key, String value, Map<String, OvsPort> known) {
        return Optional.empty();
    }

    /** Open vSwitch's ports as read: {@code down} when its database did not answer (then {@code ports} is empty). */
    record OvsPorts(Map<String, OvsPort> ports, Optional<String> down) {
    }

    boolean fileExists(String path);

    /** The destinations of a VXLAN device's all-zeros FDB entries (the peers it floods to); none when it is not there. */
    default java.util.List<String> vxlanFloods(String device) {
        return java.util.List.of();
    }

    /**
     * The PID a pid file names, when that process is {@code program} started with that pid file and
     * lives in the network namespace of that inode: what proves that pipework started it for that
     * guest. Empty when anything does not match.
     */
    default Optional<Long> processOf(String pidFile, String program, long netnsInode) {
        return Optional.empty();
    }

    /** The text of a small regular file on the host, if it is there. */
    default Optional<String> readFile(String path) {
        return Optional.empty();
    }

    /** The names of the regular files of a directory, sorted; none when it is not there. */
    default java.util.List<String> listFiles(String path) {
        return java.util.List.of();
    }

    /** The text of a regular file of at most {@code max} bytes, if it is there. */
    default Optional<String> readFile(String path, int max) {
        return Optional.empty();
    }

    /** The inode of a network namespace file ({@code /proc/<pid>/ns/net}, ...), while it is there. */
    default java.util.OptionalLong netnsInodeOf(String path) {
        return java.util.OptionalLong.empty();
    }

    /** When a regular file on the host was last modified, if it is there. */
    default Optional<java.time.Instant> lastModified(String path) {
        return Optional.empty();
    }

    /** A process in the host's namespaces: this one. */
    default long hostPid() {
        return ProcessHandle.current().pid();
    }

    /**
     * A word no other call returns (this process's PID and a random number, in hexadecimal): a name
     * of its own for what outlives the run, such as a helper container's label.
     */
    default String runTag() {
        return Long.toHexString(hostPid()) + "-"
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() ^ System.nanoTime());
    }
}
