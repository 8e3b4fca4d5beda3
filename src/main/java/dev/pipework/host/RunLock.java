package dev.pipework.host;

import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Exclusive locks that serialise runs touching the same bridge or the same guest, so that runs in
 * parallel neither race to create a bridge nor see each other's half-made links as stale. The
 * lock files stay in {@code /run/lock/pipework} (a tmpfs): removing a lock file while another
 * process waits on it would let two runs hold "the same" lock.
 */
public final class RunLock implements AutoCloseable {
    public static final Path DEFAULT_DIR = Path.of("/run/lock/pipework");

    private final List<FileChannel> channels = new ArrayList<>();
    private final Path dir;

    public RunLock(Path dir) {
        this.dir = dir;
    }

    /** Blocks until this run holds the lock of that name; locks are released together on close. */
    public RunLock acquire(String name) {
        String file = name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".lock";
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channels.add(channel);
            FileLock ignored = channel.lock();
            return this;
        } catch (IOException e) {
            close();
            throw new PipeworkException("cannot lock " + dir.resolve(file) + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        for (int i = channels.size() - 1; i >= 0; i--) {
            try {
                channels.get(i).close();
            } catch (IOException e) {
                // closing releases the lock; nothing else to do
            }
        }
        channels.clear();
    }
}
