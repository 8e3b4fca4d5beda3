package dev.pipework.plan;

import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine as the planner sees it: read-only, each question answered once per run. The run
 * creates it under its locks, so that what a plan assumes still holds when it is carried out; the
 * golden plans answer it from a recorded machine.
 */
public interface MachineView {

    /** The host link of this name, or its absence. */
    Optional<LinkFacts> link(String name);

    /** The name of the host link with this MAC address, if any. */
    Optional<String> linkWithMac(String mac);

    /** Whether Open vSwitch knows a bridge of this name. */
    boolean ovsBridge(String name);

    /** Whether {@code ovs-vsctl} is installed. */
    boolean ovsInstalled();

    /** Whether the kernel has the Open vSwitch datapath module. */
    boolean ovsKernelDatapath();

    /** Whether this program is on the host's {@code PATH}. */
    boolean installed(String command);

    /** The guest's default route of this family, if it has one. */
    Optional<DefaultRoute> guestDefaultRoute(String netnsPath, Family family);

    /** Every host link, by index. */
    Map<Integer, HostLink> hostLinks();

    /**
     * The host link of this index. {@code likelyName} is the name it has when pipework named it: a
     * reader looks there first, so that one link costs the same however many the host has.
     */
    default Optional<HostLink> hostLink(int index, String likelyName) {
        return Optional.ofNullable(hostLinks().get(index));
    }

    /** The names of every host link. */
    default java.util.Set<String> hostLinkNames() {
        return hostLinks().values().stream().map(HostLink::name).collect(java.util.stream.Collectors.toSet());
    }

    /** Whether the host has a link of this name, as {@link #hostLinkNames()} shows it, asked alone. */
    default boolean hostLinkExists(String name) {
        return hostLinkNames().contains(name);
    }

    /** Every Open vSwitch port, by name; none when Open vSwitch is not there. */
    Map<String, OvsPort> ovsPorts();

    /**
     * The Open vSwitch port of this name, as {@link #ovsPorts()} shows it: a reader asks the switch's
     * database for it alone, where reading every port costs more the more the host has.
     */
    default Optional<OvsPort> ovsPort(String name) {
        return Optional.ofNullable(ovsPorts().get(name));
    }

    /**
     * The Open vSwitch ports whose interface records this container ID ({@code pipework.containerid}),
     * as {@link #ovsPorts()} shows them, asked alone as {@link #ovsPort}.
     */
    default List<OvsPort> ovsPortsOfContainer(String containerId) {
        return ovsPorts().values().stream()
                .filter(p -> containerId.equals(p.externalIds().get(OvsPort.CONTAINER_ID))).toList();
    }

    /**
     * When {@link #ovsPorts()} (or {@link #ovsPort}, {@link #ovsPortsOfContainer}) is empty because Open vSwitch's database did not answer: the line
     * that says so. A port it did not show may then be there.
     */
    default Optional<String> ovsDatabaseDown() {
        return Optional.empty();
    }

    /** The links inside a guest; {@code guest} names it in messages. */
    List<GuestLink> guestLinks(String netnsPath, String guest);

    /** Whether a file exists on the host. */
    boolean fileExists(String path);

    /**
     * The DHCP client a pid file names, when {@code /proc} proves pipework started it for the guest
     * of that namespace inode: that program, with that pid file, in that namespace. Its PID.
     */
    Optional<Long> dhcpClientProcess(String pidFile, String program, long netnsInode);

    /** The names of the regular files of a directory on the host that pipework writes (the lease keeper's). */
    default List<String> hostDirectory(String path) {
        return List.of();
    }

    /** The text of a client's lease file (larger than a record), if it is there. */
    default Optional<String> leaseFile(String path) {
        return Optional.empty();
    }

    /** The command that runs this very pipework (its Java, its class path), to start the lease keeper. */
    default List<String> pipeworkCommand() {
        return List.of("pipework");
    }

    /** The peers a host VXLAN device floods to: its all-zeros FDB entries' destinations ({@code bridge fdb show dev}). */
    List<String> vxlanFloods(String device);

    /** The text of a file on the host that pipework writes (a record of a NIC moved whole). */
    Optional<String> hostFile(String path);

    /** The IDs of the containers that carry this label with this value. */
    List<String> containersLabelled(String label, String value);

    /** How the host's own namespace is named when it is read like a guest's ({@link #guestLinks}). */
    String HOST_AS_GUEST = "the host";

    /** A process in the host's namespaces (this one): where a link goes back to on undo. */
    long hostPid();

    /** A word no other call returns (a helper container's label of its own: the run's PID and a random number). */
    String runTag();

    /** The host's network namespace, as a path a command inside a guest can open. */
    default String hostNetnsPath() {
        return "/proc/" + hostPid() + "/ns/net";
    }
}
