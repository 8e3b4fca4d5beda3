package dev.pipework.plan;

import dev.pipework.model.Family;

/**
 * A fact the planner asks for. The front end answers exactly the questions the planner asks
 * ({@link MissingFacts}), through the fact readers, and plans again.
 */
public sealed interface Question {

    /** The host link of this name, or its absence: {@link LinkFacts}. */
    record Link(String name) implements Question {
    }

    /** The name of the host link with this MAC address, if any. */
    record LinkWithMac(String mac) implements Question {
    }

    /** Whether Open vSwitch knows a bridge of this name. */
    record OvsBridge(String name) implements Question {
    }

    /** Whether {@code ovs-vsctl} is installed. */
    record OvsInstalled() implements Question {
    }

    /** Whether the kernel has the Open vSwitch datapath module. */
    record OvsKernelDatapath() implements Question {
    }

    /** Whether this program is on the host's {@code PATH}. */
    record Installed(String command) implements Question {
    }

    /** The guest's default route of this family, if it has one. */
    record GuestDefaultRoute(String netnsPath, Family family) implements Question {
    }

    /** Every host link, by index ({@link HostLink}). */
    record HostLinks() implements Question {
    }

    /** Every Open vSwitch port, by name ({@link OvsPort}); none when Open vSwitch is not there. */
    record OvsPorts() implements Question {
    }

    /** The links inside a guest ({@link GuestLink}); {@code guest} names it in messages. */
    record GuestLinks(String netnsPath, String guest) implements Question {
    }

    /** Whether a file exists on the host. */
    record FileExists(String path) implements Question {
    }

    /**
     * The DHCP client a pid file names, when {@code /proc} proves pipework started it for the guest
     * of that namespace inode: that program, with that pid file, in that namespace. Its PID.
     */
    record DhcpClientProcess(String pidFile, String program, long netnsInode) implements Question {
    }

    /** The text of a file on the host that pipework writes (a record of a NIC moved whole). */
    record HostFile(String path) implements Question {
    }

    /** The IDs of the containers that carry this label with this value. */
    record ContainersLabelled(String label, String value) implements Question {
    }
}
