package dev.pipework.model;

import java.util.Optional;

/**
 * A resolved guest: whose network namespace receives the interface. Runtime-neutral: each guest
 * runtime (Docker, LXC, a named netns, ...) fills the same fields.
 *
 * @param token           the guest as the user named it (used in messages and, like the original, as DHCP hostname)
 * @param runtime         the runtime it was found in
 * @param id              the runtime's full ID for the guest, where it has one (Docker's 64 hex digits)
 * @param name            the runtime's name for it, as the runtime reports it (Docker's with its leading slash,
 *                        as {@code docker inspect --format '{{ .Name }}'} prints it)
 * @param pid             a process in the namespace; 0 for a namespace known only by its file
 * @param netnsPath       the namespace file: {@code /proc/<pid>/ns/net}, {@code /var/run/netns/<name>} or the path given
 * @param netnsInode      the namespace's inode number, which tells namespaces apart
 * @param stableNetnsPath the namespace file as resolved, valid whether or not this process still runs
 *                        ({@code netnsPath} may be a descriptor this process holds open)
 */
public record Guest(String token, Runtime runtime, Optional<String> id, Optional<String> name,
                    int pid, String netnsPath, long netnsInode, String stableNetnsPath) {

    public Guest(String token, Runtime runtime, Optional<String> id, Optional<String> name,
                 int pid, String netnsPath, long netnsInode) {
        this(token, runtime, id, name, pid, netnsPath, netnsInode, netnsPath);
    }

    /**
     * The number that the original puts in interface names and in {@code pipework.nspid}: the PID,
     * or for a namespace without one, its inode number.
     */
    public long nameNumber() {
        return pid > 0 ? pid : netnsInode;
    }

    /** How messages name the guest: {@code Docker container "con1"}. */
    public String describe() {
        return runtime.description() + " \"" + token + "\"";
    }

    /** The name to show: the runtime's name without Docker's leading slash, else the token. */
    public String displayName() {
        return name.map(n -> n.startsWith("/") ? n.substring(1) : n).orElse(token);
    }

    /** The same guest with its namespace reached through another path (a descriptor held open). */
    public Guest withNetnsPath(String path) {
        return new Guest(token, runtime, id, name, pid, path, netnsInode, stableNetnsPath);
    }
}
