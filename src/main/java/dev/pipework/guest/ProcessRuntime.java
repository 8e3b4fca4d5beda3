package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.Runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A process, by its PID: the network namespace it is in. */
public final class ProcessRuntime implements GuestRuntime {
    public static final Runtime RUNTIME = new Runtime("process", "process", false);

    /** What names such a guest, as {@code --help} says it. */
    public static final String NAMED_BY = "a PID";

    private final Path proc;

    public ProcessRuntime(Path proc) {
        this.proc = proc;
    }

    public Runtime runtime() {
        return RUNTIME;
    }

    public Optional<Guest> find(String token, boolean running) {
        if (!token.isEmpty() && token.chars().allMatch(Character::isDigit) && token.length() < 10) {
            Path ns = proc.resolve(token).resolve("ns/net");
            if (Files.exists(ns)) {
                return Optional.of(new Guest(token, RUNTIME, Optional.empty(), Optional.empty(),
                        Integer.parseInt(token), ns.toString(), GuestRuntime.inode(ns)));
            }
        }
        return Optional.empty();
    }
}
