package dev.pipework.exec;

import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The journal of runs in flight: one file per run in {@code /run/pipework/journal}, written before
 * the run's first change and rewritten (whole, then renamed over the old one) as its steps begin
 * and end; removed when the run is over, done or undone. A file left behind names a run whose
 * process was killed; the next run of pipework undoes what it did ({@code run.Recovery}). A killed
 * process leaves its writes in the kernel's cache, where the next run reads them; a power cut may
 * not, where {@code /run} is on a disk (it is a {@code tmpfs} on most systems): an entry whose run
 * undoes what outlives a reboot ({@link JournalEntry#undoesWhatOutlivesReboot}) is synced to the
 * disk, file and directory, at each write; one whose run only changes the kernel's links,
 * addresses and routes, which a reboot clears, is not (two syncs a write, 0.2 to 0.6 ms each on a
 * disk).
 *
 * <p>The directory is root's alone ({@code 0700}, made so, refused when it is a link or another
 * user's); an entry is read only when it is a regular file of this user, closed to others, with one
 * link: what it says is run as root.
 */
public final class Journal {
    public static final Path DEFAULT_DIR = Path.of("/run/pipework/journal");
    /** Environment variable: another directory for the journal (tests). */
    public static final String DIR_VARIABLE = "PIPEWORK_JOURNAL_DIR";

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Pattern NAME = Pattern.compile("([0-9]{1,19})-([0-9]{1,19})-([0-9]{1,9})\\.json");
    private static final long MAX_BYTES = 1 << 20;
    private static final AtomicInteger RUNS = new AtomicInteger();

    /**
     * The host's network namespace: that of PID 1 (of this PID namespace), which a version-1
     * entry's run is taken to have been in.
     */
    public static final Path INITIAL_NETNS = Path.of("/proc/1/ns/net");

    private final Path dir;
    private final Path initialNetns;
    private final String boot;

    public Journal(Path dir) {
        this(dir, INITIAL_NETNS);
    }

    /** A journal whose version-1 entries are taken to be of the namespace of {@code initialNetns} (tests). */
    public Journal(Path dir, Path initialNetns) {
        this(dir, initialNetns, BootId.current());
    }

    /** A journal read as in the boot {@code boot} (tests; empty: unknown). */
    public Journal(Path dir, Path initialNetns, String boot) {
        this.dir = dir;
        this.initialNetns = initialNetns;
        this.boot = boot;
    }

    /** The directory from the environment's {@link #DIR_VARIABLE}, else {@link #DEFAULT_DIR}. */
    public static Journal fromEnvironment(java.util.Map<String, String> env) {
        String value = env.get(DIR_VARIABLE);
        return new Journal(value != null && value.startsWith("/") ? Path.of(value) : DEFAULT_DIR);
    }

    public Path dir() {
        return dir;
    }

    /**
     * One entry of the directory, read and judged; {@code earlierBoot}: its owner ran before the
     * machine last booted (so is gone).
     */
    public record Found(String name, Optional<JournalEntry> entry, Optional<String> problem, boolean ownerAlive,
                        boolean earlierBoot) {
        Found(String name, String problem) {
            this(name, Optional.empty(), Optional.of(problem), true, false);
        }
    }

    /**
     * A class, not {@code Comparator.comparing}: that one's lambda is the JDK's, spun at the first
     * call of every run where the start-up cache's training left the directory empty (about 3 ms in
     * the interpreter, the lambda machinery's own set-up).
     */
    private static final class ByName implements java.util.Comparator<Found> {
        @Override
        public int compare(Found a, Found b) {
            return a.name().compareTo(b.name());
        }
    }

    private static final ByName BY_NAME = new ByName();

    /** The entry of one run in flight, written as it goes. */
    public final class Written {
        private final String name;
        private JournalEntry entry;
        private boolean ended;

        private Written(String name, JournalEntry entry) {
            this.name = name;
            this.entry = entry;
        }

        /** Steps {@code [0, done)} are done, {@code [done, begun)} begun. */
        public synchronized void progress(int done, int begun) {
            if (ended || (entry.done() == done && entry.begun() == begun)) {
                return;
            }
            entry = entry.withProgress(done, begun);
            try {
                write(name, entry);
            } catch (IOException e) {
                // The entry on disk says less is done than is: recovery then undoes more, which
                // fails harmlessly for what is not there. The run itself goes on.
            }
        }

        /** The run is over: its entry goes. */
        public synchronized void end() {
            if (!ended) {
                ended = true;
                remove(name);
            }
        }
    }

    /**
     * Writes the entry of a run about to begin. When that cannot be done, the run does not begin:
     * a run that could not be recovered would make no change.
     */
    public Written begin(JournalEntry entry) {
        String name = entry.owner().pid() + "-" + entry.owner().startTime() + "-" + RUNS.incrementAndGet() + ".json";
        try {
            trustedDirectory();
            write(name, entry);
        } catch (IOException | RuntimeException e) {
            throw new PipeworkException("cannot write the journal of this run in " + dir + " (nothing was changed): "
                    + describe(e));
        }
        return new Written(name, entry);
    }

    private void write(String name, JournalEntry entry) throws IOException {
        boolean durable = entry.undoesWhatOutlivesReboot();
        Path tmp = dir.resolve("." + name + ".tmp");
        byte[] bytes = (entry.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(FILE_MODE))) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            if (durable) {
                ch.force(true);
            }
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (durable) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        }
    }

    /** Removes an entry (its run is over, or was recovered). */
    public void remove(String name) {
        try {
            Files.deleteIfExists(dir.resolve(name));
        } catch (IOException e) {
            // Left: its owner is gone, so the next run finds it, and its undos are harmless twice.
        }
    }

    /** The entries, each read and judged; none when the directory does not exist. */
    public List<Found> list() {
        List<Found> found = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return found;
        }
        try {
            trustedDirectory();
        } catch (IOException | RuntimeException e) {
            found.add(new Found(dir.toString(), describe(e)));
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    // Left by a run killed between writing it and renaming it, or by a power cut.
                    String entryName = name.substring(1, name.length() - ".tmp".length());
                    if (ownerNamed(entryName).filter(owner -> !alive(owner)).isPresent()) {
                        try {
                            Files.deleteIfExists(file);
                        } catch (IOException e) {
                            // looked at again by the next run
                        }
                    }
                    continue;
                }
                read(name).ifPresent(found::add);
            }
        } catch (IOException e) {
            found.add(new Found(dir.toString(), describe(e)));
        }
        found.sort(BY_NAME);
        return found;
    }

    /** One entry read again (by a recovery, under the locks); empty when it is gone. */
    public Optional<Found> read(String name) {
        Path file = dir.resolve(name);
        if (!NAME.matcher(name).matches()) {
            return Optional.of(new Found(name, "not a journal entry's name"));
        }
        try {
            String problem = untrusted(file);
            if (problem != null) {
                return Optional.of(new Found(name, problem));
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (text.isEmpty() && ownerNamed(name).filter(owner -> !alive(owner)).isPresent()) {
                // Only a power cut leaves an entry empty: one not synced (its run's undos were all
                // ip commands, of links a reboot cleared) that its owner wrote before the cut.
                Files.deleteIfExists(file);
                return Optional.empty();
            }
            JournalEntry entry;
            try {
                entry = JournalEntry.parse(text, this::initialNetns);
            } catch (IllegalArgumentException e) {
                return Optional.of(new Found(name, "corrupt: " + e.getMessage()));
            }
            String ranIn = entry.owner().boot();
            boolean earlier = !ranIn.isEmpty() && !boot.isEmpty() && !ranIn.equals(boot);
            return Optional.of(new Found(name, Optional.of(entry), Optional.empty(), !earlier && alive(entry.owner()),
                    earlier));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(new Found(name, describe(e)));
        }
    }

    /** Why this file is not to be believed, or null. */
    private static String untrusted(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return "not a regular file";
        }
        int uid = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int links = (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        if (uid != effectiveUid()) {
            return "owned by user " + uid + ", not by " + effectiveUid();
        }
        if ((mode & 077) != 0) {
            return "open to other users (mode " + Integer.toOctalString(mode & 07777) + ")";
        }
        if (links != 1) {
            return "has " + links + " links";
        }
        if (Files.size(file) > MAX_BYTES) {
            return "larger than " + MAX_BYTES + " bytes";
        }
        return null;
    }

    /** Makes the directory root's alone, or refuses it. */
    private void trustedDirectory() throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made meanwhile by another run: checked below
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory");
        }
        int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (uid != effectiveUid()) {
            throw new IOException(dir + " belongs to user " + uid + ", not to " + effectiveUid());
        }
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 077) != 0) {
            Files.setPosixFilePermissions(dir, DIR_MODE);
        }
    }

    /** This process's effective user: {@code /proc/self} belongs to it. */
    private static int effectiveUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /** Whether that process is still the one that wrote the entry: same PID, same start time. */
    public static boolean alive(JournalEntry.Owner owner) {
        OptionalLong start = startTime(owner.pid());
        return start.isPresent() && start.getAsLong() == owner.startTime();
    }

    /** The owner an entry's name gives ({@code <pid>-<start time>-<count>.json}); none for another name. */
    private static Optional<JournalEntry.Owner> ownerNamed(String name) {
        java.util.regex.Matcher m = NAME.matcher(name);
        return m.matches() ? Optional.of(new JournalEntry.Owner(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), 0))
                : Optional.empty();
    }

    /** This process, as an entry names its owner. */
    public static JournalEntry.Owner self() {
        long pid = ProcessHandle.current().pid();
        return new JournalEntry.Owner(pid, startTime(pid).orElseThrow(
                () -> new PipeworkException("cannot read the start time of this process in /proc/" + pid + "/stat")),
                netns(), BootId.current());
    }

    private long initialNetns() {
        try {
            return ((Number) Files.getAttribute(initialNetns, "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("version 1, which names no network namespace, and the host's ("
                    + initialNetns + ") cannot be read: " + describe(e));
        }
    }

    /** The inode of this process's network namespace ({@code /proc/self/ns/net}). */
    public static long netns() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            throw new PipeworkException("cannot read the network namespace of this process in /proc/self/ns/net: "
                    + describe(e));
        }
    }

    /**
     * Field 22 of {@code /proc/<pid>/stat}: when the process started, in clock ticks after boot. The
     * second field (the command's name, in parentheses) may hold spaces and parentheses, so fields
     * are counted after its last {@code ')'}.
     */
    public static OptionalLong startTime(long pid) {
        try {
            return startTimeOf(Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong startTimeOf(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return OptionalLong.empty();
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        // fields[0] is field 3 (the state), so field 22 is fields[19].
        if (fields.length < 20 || !fields[19].matches("[0-9]{1,19}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(fields[19]));
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + m;
        }
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason() + ": " + fs.getFile();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
