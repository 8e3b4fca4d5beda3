package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The host's own network namespace is never a guest: an attach there replaces the host's default
 * route and moves or deletes the host's links, and {@code del} finds nothing of its own to remove.
 * A PID of a host process, a {@code --net=host} container or a CNI_NETNS naming it all lead there.
 * "The host" is the namespace pipework runs in and that of PID 1.
 */
public final class HostNamespace {
    private static final Path PROC = Path.of("/proc");

    private HostNamespace() {
    }

    /** The inodes of the namespaces that are the host's. */
    static Set<Long> inodes(Path proc) {
        Set<Long> inodes = new HashSet<>();
        for (String who : new String[] {"self", "1"}) {
            try {
                inodes.add(((Number) Files.getAttribute(proc.resolve(who).resolve("ns/net"), "unix:ino")).longValue());
            } catch (IOException | RuntimeException e) {
                // not readable: only the other is compared
            }
        }
        return inodes;
    }

    /** Whether that namespace inode is the host's. */
    public static boolean isHosts(long netnsInode) {
        return netnsInode != 0 && inodes(PROC).contains(netnsInode);
    }

    /**
     * The guest as given, unless its namespace is the host's.
     *
     * @throws PipeworkException naming the guest, when it is
     */
    public static Guest refuse(Guest guest) {
        if (isHosts(guest.netnsInode())) {
            throw new PipeworkException(guest.describe() + " is in the host's own network namespace: pipework"
                    + " plumbs guests, not the host; nothing was changed");
        }
        return guest;
    }
}
