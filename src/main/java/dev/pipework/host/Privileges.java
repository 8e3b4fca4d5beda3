package dev.pipework.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The effective user, read from {@code /proc/self/status} (its {@code Uid:} line holds real, effective, saved, fs). */
public final class Privileges {
    private Privileges() {
    }

    public static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
