package dev.pipework.host;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Another process that holds a lock, as any user who can read a lock file could: opens the file
 * read-only, takes a shared lock on it, says {@code held}, and keeps it until its input ends.
 */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ)) {
            channel.lock(0, Long.MAX_VALUE, true);
            System.out.println("held");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our input
            }
        }
    }
}
