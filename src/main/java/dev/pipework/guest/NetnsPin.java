package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Holds a guest's network namespace open for the length of a run. Commands then reach it as
 * {@code /proc/<our pid>/fd/<n>}: that path names this very namespace even if the guest's process
 * exits and its PID is reused meanwhile (what the original's {@code /var/run/netns/<pid>} link
 * cannot promise).
 */
public final class NetnsPin implements AutoCloseable {
    private final FileChannel channel;
    private final String path;

    private NetnsPin(FileChannel channel, String path) {
        this.channel = channel;
        this.path = path;
    }

    public static NetnsPin open(Guest guest) {
        Path file = Path.of(guest.netnsPath());
        FileChannel channel;
        try {
            channel = FileChannel.open(file);
        } catch (IOException e) {
            throw new PipeworkException("cannot open the network namespace of " + guest.describe() + ": " + e.getMessage());
        }
        try {
            String self = Long.toString(ProcessHandle.current().pid());
            // Find the descriptor just opened by what it refers to: a namespace opened through
            // /proc/<pid>/ns/net reads as "net:[<inode>]", one opened through a bind mount
            // (ip netns) reads as the mount's path, but both stat as the namespace's inode.
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
                for (Path fd : fds) {
                    try {
                        String link = Files.readSymbolicLink(fd).toString();
                        boolean candidate = link.startsWith("net:[") || link.equals(file.toString())
                                || link.equals(file.toRealPath().toString());
                        if (candidate && ((Number) Files.getAttribute(fd, "unix:ino")).longValue() == guest.netnsInode()) {
                            return new NetnsPin(channel, "/proc/" + self + "/fd/" + fd.getFileName());
                        }
                    } catch (IOException | RuntimeException e) {
                        // a descriptor closed while the directory was read
                    }
                }
            }
            // The file opened is not the namespace the guest was resolved to: it changed meanwhile.
            channel.close();
            throw new PipeworkException("the network namespace of " + guest.describe() + " changed while it was being resolved");
        } catch (IOException e) {
            throw new PipeworkException("cannot hold the network namespace of " + guest.describe() + ": " + e.getMessage());
        }
    }

    /** A path other processes can open to reach the namespace while this pin is held. */
    public String path() {
        return path;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }
}
