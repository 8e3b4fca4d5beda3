package dev.pipework.plan;

import dev.pipework.model.Family;

/**
 * A fact the planner asks for. The front end answers exactly the questions the planner asks
 * ({@link MissingFacts}), through the fact readers, and plans again.
 */
public sealed interface Question {
    /** Between the parts of a key: no name, path or number holds it. */
    String SEP = "\u0000";

    /**
     * What tells this question from every other: the key its answer is kept under. Facts are kept
     * by it rather than by the record, because a record's own {@code equals} and {@code hashCode}
     * are linked through method handles on their first call, which the JVM's start-up cache does
     * not keep (about 8 ms of an attach, measured with {@code -Xlog:class+load+cause}).
     */
    String key();

    /** The host link of this name, or its absence: {@link LinkFacts}. */
    record Link(String name) implements Question {
        public String key() {
            return "Link" + SEP + name;
        }
    }

    /** The name of the host link with this MAC address, if any. */
    record LinkWithMac(String mac) implements Question {
        public String key() {
            return "LinkWithMac" + SEP + mac;
        }
    }

    /** Whether Open vSwitch knows a bridge of this name. */
    record OvsBridge(String name) implements Question {
        public String key() {
            return "OvsBridge" + SEP + name;
        }
    }

    /** Whether {@code ovs-vsctl} is installed. */
    record OvsInstalled() implements Question {
        public String key() {
            return "OvsInstalled";
        }
    }

    /** Whether the kernel has the Open vSwitch datapath module. */
    record OvsKernelDatapath() implements Question {
        public String key() {
            return "OvsKernelDatapath";
        }
    }

    /** Whether this program is on the host's {@code PATH}. */
    record Installed(String command) implements Question {
        public String key() {
            return "Installed" + SEP + command;
        }
    }

    /** The guest's default route of this family, if it has one. */
    record GuestDefaultRoute(String netnsPath, Family family) implements Question {
        public String key() {
            return "GuestDefaultRoute" + SEP + netnsPath + SEP + family;
        }
    }

    /** Every host link, by index ({@link HostLink}). */
    record HostLinks() implements Question {
        public String key() {
            return "HostLinks";
        }
    }

    /** Every Open vSwitch port, by name ({@link OvsPort}); none when Open vSwitch is not there. */
    record OvsPorts() implements Question {
        public String key() {
            return "OvsPorts";
        }
    }

    /** The links inside a guest ({@link GuestLink}); {@code guest} names it in messages. */
    record GuestLinks(String netnsPath, String guest) implements Question {
        public String key() {
            return "GuestLinks" + SEP + netnsPath + SEP + guest;
        }
    }

    /** Whether a file exists on the host. */
    record FileExists(String path) implements Question {
        public String key() {
            return "FileExists" + SEP + path;
        }
    }

    /**
     * The DHCP client a pid file names, when {@code /proc} proves pipework started it for the guest
     * of that namespace inode: that program, with that pid file, in that namespace. Its PID.
     */
    record DhcpClientProcess(String pidFile, String program, long netnsInode) implements Question {
        public String key() {
            return "DhcpClientProcess" + SEP + pidFile + SEP + program + SEP + netnsInode;
        }
    }

    /** The text of a file on the host that pipework writes (a record of a NIC moved whole). */
    record HostFile(String path) implements Question {
        public String key() {
            return "HostFile" + SEP + path;
        }
    }

    /** The IDs of the containers that carry this label with this value. */
    record ContainersLabelled(String label, String value) implements Question {
        public String key() {
            return "ContainersLabelled" + SEP + label + SEP + value;
        }
    }
}
