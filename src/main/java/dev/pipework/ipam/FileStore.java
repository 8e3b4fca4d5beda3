package dev.pipework.ipam;

import dev.pipework.model.InvalidValueException;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Pool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The file store: one file a pool, {@code <dir>/<pool>.json}, changed only under the pool's lock
 * ({@code <dir>/<pool>.lock}, an fcntl lock, released by the kernel when its process dies) and
 * written whole: a temporary file in the same directory, flushed to the disk, renamed over the
 * old one, so that a reader sees the old state or the new, never half.
 */
public final class FileStore implements Store {
    /** fcntl locks are per process: threads of one process take this lock first. */
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path dir;
    /**
     * The last state this store wrote or read, with the file's text: a read that finds the same text
     * (a confirmation after its claim, the file unchanged under the lock) takes the state without
     * parsing it again, which in a fresh process is most of a confirmation's time.
     */
    private volatile Known known;

    private record Known(Path file, Pool pool, String text, PoolState state) {
    }

    public FileStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path file(String pool) {
        return dir.resolve(pool + ".json");
    }

    /** A lock held until closed. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** The pool's lock, held until closed. */
    public Held lock(String pool) {
        trustedDirectory(true);
        return lock(dir.resolve(pool + ".lock"));
    }

    /**
     * The store's directory is this user's alone, as the journal's: made so when missing; refused
     * when it is a link, not a directory, or another user's (whoever can write there can plant a
     * lease, or a link the next write follows); group's and others' access taken away.
     */
    private void trustedDirectory(boolean make) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (!make) {
                    return;
                }
                Path parent = dir.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // made meanwhile by another run: checked below
                }
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new PipeworkException("the pools' store " + dir + " is not a directory (a link is not followed)");
            }
            int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (uid != self) {
                throw new PipeworkException("the pools' store " + dir + " belongs to user " + uid + ", not to " + self);
            }
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 077) != 0) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new PipeworkException("cannot use the pools' store " + dir + ": " + e.getMessage());
        }
    }

    /** A lock on this file, held until closed: the threads of this process in turn, then the processes. */
    public static Held lock(Path lockFile) {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile.toAbsolutePath(), p -> new ReentrantLock());
        local.lock();
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock held;
            try {
                held = channel.lock();
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return () -> {
                try {
                    held.release();
                    channel.close();
                } catch (IOException e) {
                    throw new PipeworkException("cannot unlock " + lockFile + ": " + e.getMessage());
                } finally {
                    local.unlock();
                }
            };
        } catch (IOException e) {
            local.unlock();
            throw new PipeworkException("cannot lock " + lockFile + ": " + e.getMessage());
        }
    }

    @Override
    public boolean has(String pool) {
        return Files.exists(file(pool));
    }

    @Override
    public Allocator.Given change(Pool pool, boolean flush, Function<PoolState, Allocator.Given> decide) {
        Held lock = lock(pool.name());
        try {
            PoolState before = read(pool);
            Allocator.Given g = decide.apply(before);
            if (!g.state().equals(before)) {
                String text = g.state().toJson();
                write(file(pool.name()), text, flush);
                known = new Known(file(pool.name()), pool, text, g.state());
            }
            return g;
        } finally {
            lock.close();
        }
    }

    @Override
    public void remove(Pool pool, Consumer<PoolState> check, Runnable then) {
        Held lock = lock(pool.name());
        try {
            check.accept(read(pool));
            then.run();
            delete(pool.name());
        } finally {
            lock.close();
        }
    }

    /** The pool's state; empty when it has no file yet. A file that is not valid is an error, and kept. */
    @Override
    public PoolState read(Pool pool) {
        trustedDirectory(false);
        Path file = file(pool.name());
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return PoolState.empty(pool);
        } catch (IOException e) {
            throw new PipeworkException("cannot read " + file + ": " + e.getMessage());
        }
        Known k = known;
        if (k != null && k.pool() == pool && k.file().equals(file) && k.text().equals(text)) {
            return k.state();
        }
        try {
            PoolState state = PoolState.parse(text, pool);
            known = new Known(file, pool, text, state);
            return state;
        } catch (InvalidValueException | java.io.UncheckedIOException e) {
            throw new PipeworkException("the store file " + file + " of pool \"" + pool.name() + "\" is not valid ("
                    + e.getMessage() + "); it is kept as it is: repair it, or move it away to start the pool afresh"
                    + " (every address it holds is then given again)");
        }
    }

    /**
     * Writes the state; not flushed for a change a crash of the host may lose without harm (a claim
     * made {@code held}: lost, it turns into {@code cooling}, and the interface is gone with the crash).
     */
    public void write(PoolState state, boolean flush) {
        write(file(state.pool()), state.toJson(), flush);
    }

    public void delete(String pool) {
        try {
            Files.deleteIfExists(file(pool));
        } catch (IOException e) {
            throw new PipeworkException("cannot remove the store of pool \"" + pool + "\": " + e.getMessage());
        }
    }

    /**
     * Writes {@code text} to {@code file} whole: temporary file, fsync, rename. The directory is not
     * flushed (it doubled the cost of a claim): the rename is atomic, so a reader sees the old file or
     * the new; after a crash of the host the store may be one change behind, while the interfaces
     * it names are gone with the crash.
     */
    public static void write(Path file, String text) {
        write(file, text, true);
    }

    private static void write(Path file, String text, boolean flush) {
        Path parent = file.toAbsolutePath().getParent();
        Path temp = parent.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(parent);
            // A fresh file, never one found there (nor a link's target).
            Files.deleteIfExists(temp);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                out.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                if (flush) {
                    out.force(true);
                }
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + temp + " atomically over " + file);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // The write's own error is the one to report.
            }
            throw new PipeworkException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
