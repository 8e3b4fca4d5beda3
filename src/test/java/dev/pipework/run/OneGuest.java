package dev.pipework.run;

import dev.pipework.guest.GuestResolver;
import dev.pipework.guest.NamedNetnsRuntime;
import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Resolves every name to one guest, "g1", in this process's own network namespace; a changed one fails its check. */
final class OneGuest implements GuestResolver {
    final Guest guest;
    private final boolean changed;

    OneGuest(boolean changed) throws IOException {
        long inode = ((Number) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino")).longValue();
        this.guest = new Guest("g1", NamedNetnsRuntime.RUNTIME, Optional.empty(), Optional.empty(), 0,
                "/proc/self/ns/net", inode);
        this.changed = changed;
    }

    public Guest resolve(String token, boolean running) {
        return guest;
    }

    public List<Guest> all() {
        return List.of(guest);
    }

    public void verifyUnchanged(Guest g) {
        if (changed) {
            throw new PipeworkException("the guest changed: its PID now names another namespace");
        }
    }
}
