package dev.pipework.it.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * Serialises tests that must share something global to the host and cannot rename it (the Debian
 * package {@code pipework}, say) across every test run on the machine, other checkouts included:
 * an exclusive lock on {@code /run/lock/pipework-it-<name>.lock}, released on close.
 */
public final class HostLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private HostLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock {@code name}, waiting up to {@code bound} for another run to release it. */
    public static HostLock take(String name, Duration bound) {
        Path file = Path.of("/run/lock", "pipework-it-" + name + ".lock");
        try {
            Files.createDirectories(file.getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = Poll.until(bound, Poll.TICK, () -> tryLock(channel), "the host-wide test lock " + file);
            return new HostLock(channel, lock);
        } catch (IOException e) {
            throw new AssertionError("cannot open the host-wide test lock " + file + ": " + e, e);
        }
    }

    private static Optional<FileLock> tryLock(FileChannel channel) {
        try {
            return Optional.ofNullable(channel.tryLock());
        } catch (IOException e) {
            throw new AssertionError("cannot lock: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new AssertionError("cannot release the host-wide test lock: " + e, e);
        }
    }
}
