package dev.pipework.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The kernel's id of this boot ({@code /proc/sys/kernel/random/boot_id}): a UUID made anew at each
 * boot, which tells a process, a journal entry or a lease of this boot from one of an earlier boot
 * (PIDs, start times and namespaces' numbers come again after a reboot).
 */
public final class BootId {
    public static final Path FILE = Path.of("/proc/sys/kernel/random/boot_id");
    /** As the kernel writes it: a UUID in lower case. */
    public static final Pattern PATTERN = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private static volatile String current;

    private BootId() {
    }

    /** This boot's id, read once (a reboot ends the process); empty when it cannot be read. */
    public static String current() {
        String id = current;
        if (id == null) {
            try {
                id = Files.readString(FILE, StandardCharsets.US_ASCII).strip();
            } catch (IOException | RuntimeException e) {
                id = "";
            }
            current = id = PATTERN.matcher(id).matches() ? id : "";
        }
        return id;
    }
}
