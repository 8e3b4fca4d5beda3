package dev.pipework.plan;

import dev.pipework.model.Family;

import java.util.Objects;

/**
 * A fact the planner asks for. The front end answers exactly the questions the planner asks
 * ({@link MissingFacts}), through the fact readers, and plans again.
 *
 * <p>Each record spells out {@code equals}, {@code hashCode} and {@code toString}: the ones a record
 * gets are linked on their first call through method handles ({@code ObjectMethods}) that the JVM's
 * start-up cache does not keep, and questions are map keys in every run (about 0.5 ms a method
 * handle, 8 ms in a run of 100, measured with {@code -Xlog:class+load+cause}).
 */
public sealed interface Question {

    /** The host link of this name, or its absence: {@link LinkFacts}. */
    record Link(String name) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof Link q && Objects.equals(q.name, name);
        }

        @Override
        public int hashCode() {
            return Objects.hash("Link", name);
        }

        @Override
        public String toString() {
            return "Link[" + name + "]";
        }
    }

    /** The name of the host link with this MAC address, if any. */
    record LinkWithMac(String mac) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof LinkWithMac q && Objects.equals(q.mac, mac);
        }

        @Override
        public int hashCode() {
            return Objects.hash("LinkWithMac", mac);
        }

        @Override
        public String toString() {
            return "LinkWithMac[" + mac + "]";
        }
    }

    /** Whether Open vSwitch knows a bridge of this name. */
    record OvsBridge(String name) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof OvsBridge q && Objects.equals(q.name, name);
        }

        @Override
        public int hashCode() {
            return Objects.hash("OvsBridge", name);
        }

        @Override
        public String toString() {
            return "OvsBridge[" + name + "]";
        }
    }

    /** Whether {@code ovs-vsctl} is installed. */
    record OvsInstalled() implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof OvsInstalled;
        }

        @Override
        public int hashCode() {
            return "OvsInstalled".hashCode();
        }

        @Override
        public String toString() {
            return "OvsInstalled[]";
        }
    }

    /** Whether the kernel has the Open vSwitch datapath module. */
    record OvsKernelDatapath() implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof OvsKernelDatapath;
        }

        @Override
        public int hashCode() {
            return "OvsKernelDatapath".hashCode();
        }

        @Override
        public String toString() {
            return "OvsKernelDatapath[]";
        }
    }

    /** Whether this program is on the host's {@code PATH}. */
    record Installed(String command) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof Installed q && Objects.equals(q.command, command);
        }

        @Override
        public int hashCode() {
            return Objects.hash("Installed", command);
        }

        @Override
        public String toString() {
            return "Installed[" + command + "]";
        }
    }

    /** The guest's default route of this family, if it has one. */
    record GuestDefaultRoute(String netnsPath, Family family) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof GuestDefaultRoute q && Objects.equals(q.netnsPath, netnsPath)
                    && Objects.equals(q.family, family);
        }

        @Override
        public int hashCode() {
            return Objects.hash("GuestDefaultRoute", netnsPath, family);
        }

        @Override
        public String toString() {
            return "GuestDefaultRoute[" + netnsPath + ", " + family + "]";
        }
    }

    /** Every host link, by index ({@link HostLink}). */
    record HostLinks() implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof HostLinks;
        }

        @Override
        public int hashCode() {
            return "HostLinks".hashCode();
        }

        @Override
        public String toString() {
            return "HostLinks[]";
        }
    }

    /** Every Open vSwitch port, by name ({@link OvsPort}); none when Open vSwitch is not there. */
    record OvsPorts() implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof OvsPorts;
        }

        @Override
        public int hashCode() {
            return "OvsPorts".hashCode();
        }

        @Override
        public String toString() {
            return "OvsPorts[]";
        }
    }

    /** The links inside a guest ({@link GuestLink}); {@code guest} names it in messages. */
    record GuestLinks(String netnsPath, String guest) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof GuestLinks q && Objects.equals(q.netnsPath, netnsPath)
                    && Objects.equals(q.guest, guest);
        }

        @Override
        public int hashCode() {
            return Objects.hash("GuestLinks", netnsPath, guest);
        }

        @Override
        public String toString() {
            return "GuestLinks[" + netnsPath + ", " + guest + "]";
        }
    }

    /** Whether a file exists on the host. */
    record FileExists(String path) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof FileExists q && Objects.equals(q.path, path);
        }

        @Override
        public int hashCode() {
            return Objects.hash("FileExists", path);
        }

        @Override
        public String toString() {
            return "FileExists[" + path + "]";
        }
    }

    /**
     * The DHCP client a pid file names, when {@code /proc} proves pipework started it for the guest
     * of that namespace inode: that program, with that pid file, in that namespace. Its PID.
     */
    record DhcpClientProcess(String pidFile, String program, long netnsInode) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof DhcpClientProcess q && Objects.equals(q.pidFile, pidFile)
                    && Objects.equals(q.program, program) && q.netnsInode == netnsInode;
        }

        @Override
        public int hashCode() {
            return Objects.hash("DhcpClientProcess", pidFile, program, netnsInode);
        }

        @Override
        public String toString() {
            return "DhcpClientProcess[" + pidFile + ", " + program + ", " + netnsInode + "]";
        }
    }

    /** The text of a file on the host that pipework writes (a record of a NIC moved whole). */
    record HostFile(String path) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof HostFile q && Objects.equals(q.path, path);
        }

        @Override
        public int hashCode() {
            return Objects.hash("HostFile", path);
        }

        @Override
        public String toString() {
            return "HostFile[" + path + "]";
        }
    }

    /** The IDs of the containers that carry this label with this value. */
    record ContainersLabelled(String label, String value) implements Question {
        @Override
        public boolean equals(Object o) {
            return o instanceof ContainersLabelled q && Objects.equals(q.label, label)
                    && Objects.equals(q.value, value);
        }

        @Override
        public int hashCode() {
            return Objects.hash("ContainersLabelled", label, value);
        }

        @Override
        public String toString() {
            return "ContainersLabelled[" + label + ", " + value + "]";
        }
    }
}
