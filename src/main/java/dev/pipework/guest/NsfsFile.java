package dev.pipework.guest;

import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A namespace file is one of the kernel's {@code nsfs}: what {@code /proc/<pid>/ns/net} and an
 * {@code ip netns} bind mount stat as. Anything else given as one is refused by a stat alone, before
 * any lock is taken and before it is opened: opening a FIFO blocks until a writer comes, and a
 * regular file, a directory or {@code /dev/null} would only fail later, halfway through.
 */
public final class NsfsFile {
    private NsfsFile() {
    }

    /**
     * @param what how messages name it ({@code CNI_NETNS}, the guest as typed)
     * @throws PipeworkException when the file is not a namespace
     */
    public static void require(Path file, String what) {
        try {
            if (Files.isDirectory(file) || !Files.isRegularFile(file)) {
                throw notOne(file, what);
            }
            // Every nsfs file is on the one nsfs superblock: the device of this process's own.
            Object dev = Files.getAttribute(file, "unix:dev");
            Object nsfs = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:dev");
            if (!dev.equals(nsfs)) {
                throw notOne(file, what);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new PipeworkException(what + " \"" + file + "\" cannot be read: " + e.getMessage());
        }
    }

    private static PipeworkException notOne(Path file, String what) {
        return new PipeworkException(what + " \"" + file + "\" is not a network namespace file (nsfs): nothing"
                + " was changed");
    }
}
