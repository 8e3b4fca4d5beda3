package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.Runtime;

import java.nio.file.Path;
import java.util.Optional;

/** A network namespace file given by its absolute path ({@code /proc/<pid>/ns/net}, a bind mount). */
public final class NetnsFileRuntime implements GuestRuntime {
    public static final Runtime RUNTIME = new Runtime("netns_file", "network namespace file", false);

    /** What names such a guest, as {@code --help} says it. */
    public static final String NAMED_BY = "the path of a network namespace file";

    public Runtime runtime() {
        return RUNTIME;
    }

    public Optional<Guest> find(String token, boolean running) {
        if (!token.startsWith("/")) {
            return Optional.empty();
        }
        if (java.nio.file.Files.exists(Path.of(token))) {
            NsfsFile.require(Path.of(token), "network namespace file");
        }
        return Optional.of(GuestRuntime.fromFile(token, RUNTIME, Path.of(token)));
    }
}
