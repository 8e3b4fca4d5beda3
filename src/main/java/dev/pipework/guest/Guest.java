package dev.pipework.guest;

import java.util.Optional;

/**
 * A resolved guest: whose network namespace receives the interface.
 *
 * @param token         the guest as the user named it (used in messages and, like the original, as DHCP hostname)
 * @param kind          how it was found
 * @param containerId   Docker's full ID, for Docker guests
 * @param containerName Docker's name with its leading slash, as {@code docker inspect --format '{{ .Name }}'} prints it
 * @param pid           a process in the namespace; 0 for a namespace known only by its file
 * @param netnsPath     the namespace file: {@code /proc/<pid>/ns/net}, {@code /var/run/netns/<name>} or the path given
 * @param netnsInode    the namespace's inode number, which tells namespaces apart
 * @param stableNetnsPath the namespace file as resolved, valid whether or not this process still runs
 *                      ({@code netnsPath} may be a descriptor of this process, see {@link NetnsPin})
 */
public record Guest(String token, Kind kind, Optional<String> containerId, Optional<String> containerName,
                    int pid, String netnsPath, long netnsInode, String stableNetnsPath) {

    public Guest(String token, Kind kind, Optional<String> containerId, Optional<String> containerName,
                 int pid, String netnsPath, long netnsInode) {
        this(token, kind, containerId, containerName, pid, netnsPath, netnsInode, netnsPath);
    }

    public enum Kind {
        DOCKER("Docker container"),
        LXC("LXC container"),
        NETNS("network namespace"),
        PROCESS("process"),
        NETNS_FILE("network namespace file");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * The number that the original puts in interface names and in {@code pipework.nspid}: the PID,
     * or for a namespace without one, its inode number.
     */
    public long nameNumber() {
        return pid > 0 ? pid : netnsInode;
    }

    /** How messages name the guest: {@code container "con1"}. */
    public String describe() {
        return kind.description() + " \"" + token + "\"";
    }

    /** The same guest with its namespace reached through another path (a descriptor held open). */
    public Guest withNetnsPath(String path) {
        return new Guest(token, kind, containerId, containerName, pid, path, netnsInode, stableNetnsPath);
    }
}
