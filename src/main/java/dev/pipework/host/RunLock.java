package dev.pipework.host;

import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exclusive locks that serialise runs touching the same bridge or the same guest, so that runs in
 * parallel neither race to create a bridge nor see each other's half-made links as stale. The
 * lock files are in {@code /run/lock/pipework} (a tmpfs), one per name while a run holds or waits
 * for it: a run removes its file while it still holds the lock, and a run that got the lock of a
 * file no longer at its path (it waited on the file meanwhile removed) takes the path's file instead.
 *
 * <p>{@code /run/lock} is writable by every user, so the directory is trusted only when it is a
 * real directory (not a link) owned by this user and closed to everyone else: it is made so
 * ({@code 0700}), tightened when it is ours but open, and refused otherwise. Lock files are
 * opened without following links and made {@code 0600}. A lock that stays with the same holder
 * is waited for a bounded time only (30 s, or the system property {@code pipework.lock.wait} in
 * seconds); the message then names the lock and the process that holds it. While the lock passes
 * from run to run (many runs started at once on one bridge) the wait goes on: each holder gets
 * the full time. When the holder cannot be seen, the bound is on the whole wait.
 */
public final class RunLock implements AutoCloseable {
    public static final Path DEFAULT_DIR = Path.of("/run/lock/pipework");
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    /** System property: how many seconds to wait for a lock (tests shorten it). */
    public static final String WAIT_PROPERTY = "pipework.lock.wait";

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final long POLL_MILLIS = 50;
    /**
     * Told when a run of this process lets its locks go: another thread of it waiting for one (the
     * watcher's lanes, the driver's calls) looks again at once rather than at its next poll.
     */
    private static final Object RELEASED = new Object();

    /** File positions that tell this process's lock descriptors apart (beyond any lock file's size, an empty file; within every file system's largest). */
    private static final AtomicLong MARKS = new AtomicLong(0x5057_0000L);

    /** A lock this run holds: the channel that holds it, and the file's path, removed on release. */
    private record Held(FileChannel channel, Path file) {
    }

    private final List<Held> held = new ArrayList<>();
    private final Path dir;
    private final Duration wait;

    public RunLock(Path dir) {
        this(dir, configuredWait());
    }

    public RunLock(Path dir, Duration wait) {
        this.dir = dir;
        this.wait = wait;
    }

    /** The wait given by {@link #WAIT_PROPERTY}, else {@link #DEFAULT_WAIT}. */
    static Duration configuredWait() {
        String value = System.getProperty(WAIT_PROPERTY);
        if (value != null && value.matches("[0-9]{1,6}")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        return DEFAULT_WAIT;
    }

    /**
     * Takes the lock of that name if it is free, without waiting: false when another process holds
     * it (a process that must run once on the machine, the lease keeper).
     */
    public boolean tryAcquire(String name) {
        Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".lock");
        try {
            trustedDirectory();
            while (true) {
                FileChannel channel = open(file);
                if (tryLock(channel) == null) {
                    channel.close();
                    return false;
                }
                if (current(channel, file)) {
                    held.add(new Held(channel, file));
                    return true;
                }
                // The run that held it removed the file as it let go: try the path's new file.
                channel.close();
            }
        } catch (IOException e) {
            throw new PipeworkException("cannot lock " + file + ": " + e.getMessage());
        }
    }

    /**
     * Waits until this run holds the lock of that name, for a bounded time; locks are released
     * together on close.
     */
    public RunLock acquire(String name) {
        String fileName = name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".lock";
        Path file = dir.resolve(fileName);
        FileChannel channel = null;
        try {
            trustedDirectory();
            channel = open(file);
            long limit = wait.toNanos();
            long lookEvery = Math.min(TimeUnit.SECONDS.toNanos(1), limit / 5);
            long since = System.nanoTime();
            long looked = since;
            List<Long> holders = null;
            while (true) {
                if (tryLock(channel) != null) {
                    if (current(channel, file)) {
                        held.add(new Held(channel, file));
                        channel = null;
                        return this;
                    }
                    // The run that held it removed the file as it let go: the lock is the new file's now.
                    channel.close();
                    channel = null;
                    channel = open(file);
                    continue;
                }
                if (holders == null) {
                    // Busy: who holds it is read once here, then now and then (not on a free lock's path).
                    holders = holders(file);
                }
                synchronized (RELEASED) {
                    RELEASED.wait(POLL_MILLIS);
                }
                long now = System.nanoTime();
                if (now - looked >= lookEvery) {
                    looked = now;
                    List<Long> seen = holders(file);
                    if (!seen.isEmpty() && !seen.equals(holders)) {
                        // Another holder: the lock is moving on, and this run waits its turn.
                        since = now;
                    }
                    holders = seen;
                }
                if (now - since >= limit) {
                    holders = holders(file);
                    throw new PipeworkException("cannot lock " + file + ": held for more than " + seconds(wait)
                            + " by " + (holders.isEmpty() ? "another process (a pipework run, or any that opened it)"
                            : describe(holders)) + "; giving up");
                }
            }
        } catch (IOException e) {
            closeQuietly(channel);
            close();
            throw new PipeworkException("cannot lock " + file + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            close();
            throw new PipeworkException("cannot lock " + file + ": interrupted");
        } catch (RuntimeException e) {
            closeQuietly(channel);
            close();
            throw e;
        }
    }

    /** The lock file, made {@code 0600} if it is not there, opened without following a link. */
    private static FileChannel open(Path file) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        FileChannel channel = FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(FILE_MODE));
        boolean regular;
        try {
            regular = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile();
        } catch (NoSuchFileException e) {
            // Removed meanwhile by the run that held it: its lock, once got, is found not current.
            regular = true;
        }
        if (!regular) {
            channel.close();
            throw new PipeworkException("cannot lock " + file + ": not a regular file");
        }
        return channel;
    }

    /**
     * Whether the file this channel locked is the one at the path still. A run removes its lock
     * file while it holds the lock, so a run that waited on the file and got its lock may hold a
     * file no longer there. POSIX locks belong to the process and all of them on a file go when any
     * descriptor of that file closes, so the file is not opened again to look: the channel's own
     * descriptor is found in {@code /proc/self/fd} (by a file position no other has, set here, read
     * in {@code /proc/self/fdinfo}), and stat through that link gives the locked file's inode.
     */
    static boolean current(FileChannel channel, Path file) throws IOException {
        long mark = MARKS.incrementAndGet();
        channel.position(mark);
        Path descriptor = descriptorAt(mark, file.getFileName().toString());
        try {
            Object[] locked = {Files.getAttribute(descriptor, "unix:ino"), Files.getAttribute(descriptor, "unix:dev")};
            Object[] there = {Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS),
                Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS)};
            return locked[0].equals(there[0]) && locked[1].equals(there[1]);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** The entry of {@code /proc/self/fd} for the descriptor of the lock file named so whose position is {@code mark}. */
    private static Path descriptorAt(long mark, String fileName) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile (the directory stream's own descriptor, among others)
                }
                if (!target.endsWith("/" + fileName) && !target.endsWith("/" + fileName + " (deleted)")) {
                    continue;
                }
                Path info = Path.of("/proc/self/fdinfo").resolve(fd.getFileName());
                try {
                    for (String line : Files.readAllLines(info)) {
                        if (line.equals("pos:\t" + mark)) {
                            return fd;
                        }
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        throw new IOException("its descriptor is not in " + fds);
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // This process holds it already (through another channel): it is not free for this run.
            return null;
        }
    }

    /** Makes the directory ({@code 0700}), or checks that the one there is a directory of this user's alone. */
    private void trustedDirectory() throws IOException {
        Path parent = dir.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isDirectory()) {
            throw new PipeworkException("refusing the lock directory " + dir + ": it is not a directory"
                    + (attributes.isSymbolicLink() ? " but a symbolic link" : "") + " (remove it)");
        }
        int owner = ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
        int me = Privileges.effectiveUid();
        if (owner != me) {
            throw new PipeworkException("refusing the lock directory " + dir + ": it belongs to user " + owner
                    + ", not " + (me == 0 ? "root" : "user " + me) + " (remove it)");
        }
        if (!attributes.permissions().equals(DIR_MODE)) {
            // Ours, but open to others (an earlier version made it 0755): closed now.
            Files.setPosixFilePermissions(dir, DIR_MODE);
        }
    }

    /**
     * The processes that hold a lock on the file, from {@code /proc/locks} (matched by device and
     * inode), this one left out; empty when none is seen.
     */
    static List<Long> holders(Path file) {
        List<Long> pids = new ArrayList<>();
        try {
            long inode = ((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            long dev = ((Number) Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            String where = String.format("%02x:%02x:%d", major, minor, inode);
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                String[] f = line.trim().split("\\s+");
                // "1: POSIX ADVISORY WRITE 3027 fe:00:16637962 0 EOF"; waiters have "->" after the number.
                if (f.length >= 6 && !f[1].equals("->") && f[5].equals(where) && f[4].matches("[0-9]{1,10}")) {
                    long pid = Long.parseLong(f[4]);
                    if (pid != ProcessHandle.current().pid() && !pids.contains(pid)) {
                        pids.add(pid);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        pids.sort(null);
        return pids;
    }

    /** {@code process <pid> (<command>)}, for each. */
    private static String describe(List<Long> pids) {
        List<String> each = new ArrayList<>();
        pids.forEach(pid -> each.add("process " + pid + command(pid)));
        return String.join(", ", each);
    }

    private static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }

    private static String command(long pid) {
        try {
            String comm = Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
            return comm.isEmpty() ? "" : " (" + comm.replaceAll("[^\\x21-\\x7e]", "?") + ")";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Releases the locks, newest first: each file is removed while its lock is still held, then
     * let go. A run that waited on the file meanwhile finds it gone once it gets the lock, and
     * locks the path's new file instead; no two runs hold a lock of one name at once.
     */
    @Override
    public void close() {
        for (int i = held.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(held.get(i).file());
            } catch (IOException e) {
                // left behind: the next run of that name locks it and removes it
            }
            closeQuietly(held.get(i).channel());
        }
        if (!held.isEmpty()) {
            synchronized (RELEASED) {
                RELEASED.notifyAll();
            }
        }
        held.clear();
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing releases the lock; nothing else to do
        }
    }
}
