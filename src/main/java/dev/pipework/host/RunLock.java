package dev.pipework.host;

import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

/**
 * Exclusive locks that serialise runs touching the same bridge or the same guest, so that runs in
 * parallel neither race to create a bridge nor see each other's half-made links as stale. The
 * lock files stay in {@code /run/lock/pipework} (a tmpfs): removing a lock file while another
 * process waits on it would let two runs hold "the same" lock.
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

    private final List<FileChannel> channels = new ArrayList<>();
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
            FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(FILE_MODE));
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || tryLock(channel) == null) {
                channel.close();
                return false;
            }
            channels.add(channel);
            return true;
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
        try {
            trustedDirectory();
            Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileChannel channel = FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(FILE_MODE));
            channels.add(channel);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new PipeworkException("cannot lock " + file + ": not a regular file");
            }
            if (tryLock(channel) != null) {
                return this;
            }
            long limit = wait.toNanos();
            long lookEvery = Math.min(TimeUnit.SECONDS.toNanos(1), limit / 5);
            long since = System.nanoTime();
            long looked = since;
            List<Long> holders = holders(file);
            while (true) {
                Thread.sleep(POLL_MILLIS);
                if (tryLock(channel) != null) {
                    return this;
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
            close();
            throw new PipeworkException("cannot lock " + file + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new PipeworkException("cannot lock " + file + ": interrupted");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
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
