package dev.pipework.guest;

import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A name for the host's own network namespace in iproute2's directory ({@code /var/run/netns}),
 * held for one reading of a guest.
 *
 * <p>Interface indexes are per namespace: a guest's veth whose peer has index 12 says nothing of
 * the host's link 12 unless the peer is in the host's namespace. The kernel tells that by an id:
 * {@code link_netnsid} on the veth is the id the guest's namespace gives the peer's. Which id it
 * gives the host's is asked with {@code ip netns list} inside the guest, and iproute2 asks it only
 * for names in its directory: hence this name, a link to {@code /proc/<this process>/ns/net}
 * (as the original script links {@code /var/run/netns/<pid>}), removed when the reading ends.
 */
final class HostNetnsName implements AutoCloseable {
    /** iproute2's {@code NETNS_RUN_DIR}. */
    static final Path IPROUTE2_NETNS_DIR = Path.of(dev.pipework.sys.Where.IPROUTE2_NETNS_DIR);

    private static final String PREFIX = "pipework-host-";
    private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "([0-9]{1,10})-[0-9]{1,19}");
    private static final AtomicLong COUNT = new AtomicLong();

    private final Path link;

    private HostNetnsName(Path link) {
        this.link = link;
    }

    /** Makes the name in {@code dir}, after removing those left by runs that are gone. */
    static HostNetnsName create(Path dir) {
        long pid = ProcessHandle.current().pid();
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir);
            }
            // Another user able to swap the link for one to another namespace could make a guest's
            // veth look like the host's: the directory must be root's and closed to others.
            // Its owner must be the user running this (root), as /proc/self's owner says.
            PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> modes = attributes.permissions();
            Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isDirectory() || !owner.equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                    || modes.contains(PosixFilePermission.GROUP_WRITE) || modes.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new PipeworkException(dir + " is not a directory only its owner, this user, can write to");
            }
            removeLeftovers(dir);
            Path link = dir.resolve(PREFIX + pid + "-" + COUNT.incrementAndGet());
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("/proc/" + pid + "/ns/net"));
            return new HostNetnsName(link);
        } catch (IOException e) {
            throw new PipeworkException("cannot name the host's network namespace in " + dir + ": " + e.getMessage());
        }
    }

    private static void removeLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> names = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path name : names) {
                Matcher m = OURS.matcher(name.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()
                        && Files.isSymbolicLink(name)) {
                    Files.deleteIfExists(name);
                }
            }
        }
    }

    /** The name as {@code ip netns list} prints it. */
    String name() {
        return link.getFileName().toString();
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(link);
        } catch (IOException e) {
            // left for the next run to remove
        }
    }
}
