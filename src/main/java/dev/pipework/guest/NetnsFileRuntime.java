package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.Runtime;

import java.nio.file.Path;
import java.util.Optional;

/** A network namespace file given by its absolute path ({@code /proc/<pid>/ns/net}, a bind mount). */
public final class NetnsFileRuntime implements GuestRuntime {
    public static final Runtime RUNTIME = new Runtime("netns_file", "network namespace file", false);

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
