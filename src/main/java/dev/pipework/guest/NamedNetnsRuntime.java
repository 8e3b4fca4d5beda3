package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A named network namespace, as {@code ip netns add <name>} makes it under {@code /var/run/netns}. */
public final class NamedNetnsRuntime implements GuestRuntime {
    public static final Runtime RUNTIME = new Runtime("netns", "network namespace", false);

    /** What names such a guest, as {@code --help} says it. */
    public static final String NAMED_BY = "a named network namespace (ip netns)";

    private final Path netnsDir;
    private final Consumer<String> warn;

    public NamedNetnsRuntime(Path netnsDir, Consumer<String> warn) {
        this.netnsDir = netnsDir;
        this.warn = warn;
    }

    public Runtime runtime() {
        return RUNTIME;
    }

    public Optional<Guest> find(String token, boolean running) {
        Path named = netnsDir.resolve(token);
        if (!token.contains("/") && !token.startsWith(".") && Files.exists(named)) {
            return Optional.of(GuestRuntime.fromFile(token, RUNTIME, named));
        }
        return Optional.empty();
    }

    @Override
    public List<Guest> all() {
        List<Guest> guests = new ArrayList<>();
        if (!Files.isDirectory(netnsDir)) {
            return guests;
        }
        try (DirectoryStream<Path> names = Files.newDirectoryStream(netnsDir)) {
            List<Path> sorted = new ArrayList<>();
            names.forEach(sorted::add);
            sorted.sort(null);
            for (Path named : sorted) {
                try {
                    guests.add(GuestRuntime.fromFile(named.getFileName().toString(), RUNTIME, named));
                } catch (PipeworkException e) {
                    // not a namespace (a stale file)
                }
            }
        } catch (IOException e) {
            warn.accept("cannot list " + netnsDir + ": " + e.getMessage());
        }
        return guests;
    }
}
