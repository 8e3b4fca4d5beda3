package dev.pipework.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads pid files and {@code /proc/<pid>}: which process a pid file names, and whether pipework started it. */
final class ProcFiles {
    private static final int MAX_FILE = 4096;

    private final Path proc;

    ProcFiles(Path proc) {
        this.proc = proc;
    }

    /**
     * The PID a pid file holds, when that process is {@code program} started with this very pid file
     * ({@code -p <file>} or {@code -pf <file>}, as pipework starts its DHCP clients) and lives in the
     * network namespace of that inode. Anything else (another program, a client of another guest,
     * the host's own, a PID reused since) proves nothing and gives nothing.
     */
    Optional<Long> processOf(String pidFile, String program, long netnsInode) {
        if (netnsInode == 0) {
            return Optional.empty();
        }
        long pid;
        try {
            String text = small(Path.of(pidFile)).orElse("").trim();
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (pid <= 1) {
            return Optional.empty();
        }
        Path dir = proc.resolve(Long.toString(pid));
        try {
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            List<String> argv = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
            if (argv.isEmpty() || !Path.of(argv.get(0)).getFileName().toString().equals(program)) {
                return Optional.empty();
            }
            int at = argv.indexOf(pidFile);
            if (at < 1 || !(argv.get(at - 1).equals("-p") || argv.get(at - 1).equals("-pf"))) {
                return Optional.empty();
            }
            long inode = ((Number) Files.getAttribute(dir.resolve("ns/net"), "unix:ino")).longValue();
            return inode == netnsInode ? Optional.of(pid) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A file's text, if it is there and small. */
    static Optional<String> small(Path file) {
        return small(file, MAX_FILE);
    }

    /** A file's text, if it is a regular file (not a link) of at most {@code max} bytes. */
    static Optional<String> small(Path file, int max) {
        try {
            if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.size(file) > max) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
