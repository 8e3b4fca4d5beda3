package dev.pipework.guest;

import dev.pipework.model.Guest;
import dev.pipework.model.Runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Containers that pipework plumbed as a CNI plugin: known by the container ID the runtime gave
 * ({@code CNI_CONTAINERID}), through the records ADD left. Their namespace is a file the runtime
 * made ({@code CNI_NETNS}); once it is gone, the guest has no namespace and only its Open vSwitch
 * records remain to remove.
 */
public final class CniRuntime implements GuestRuntime {
    /** An engine's container ID: 64 hexadecimal digits, shown and taken by its first 12. */
    private static final java.util.regex.Pattern ENGINE_ID = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    public static final Runtime RUNTIME = new Runtime("cni", "CNI container", false);


    /** What names such a guest, as {@code --help} says it. */

    public static final String NAMED_BY = "the container ID of an attachment made as a CNI plugin";

    private final CniRecords records;

    public CniRuntime(CniRecords records) {
        this.records = records;
    }

    public Runtime runtime() {
        return RUNTIME;
    }

    /**
     * The guest of a container ID and its namespace file, which must be a namespace, and not the
     * host's.
     */
    public static Guest guest(String containerId, String netns) {
        NsfsFile.require(Path.of(netns), "network namespace");
        return HostNamespace.refuse(new Guest(containerId, RUNTIME, Optional.of(containerId), Optional.empty(), 0,
                netns, GuestRuntime.inode(Path.of(netns))));
    }

    public Optional<Guest> find(String token, boolean running) {
        for (CniRecords.Record r : records.all()) {
            boolean matches = r.containerId().equals(token)
                    || (token.length() >= 12 && ENGINE_ID.matcher(r.containerId()).matches()
                        && r.containerId().startsWith(token));
            if (!matches) {
                continue;
            }
            if (Files.exists(Path.of(r.netns()))) {
                return Optional.of(guest(r.containerId(), r.netns()));
            }
            if (!running) {
                return Optional.of(new Guest(r.containerId(), RUNTIME, Optional.of(r.containerId()), Optional.empty(),
                        0, "", 0));
            }
        }
        return Optional.empty();
    }

    public List<Guest> all() {
        List<Guest> guests = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (CniRecords.Record r : records.all()) {
            if (seen.add(r.containerId()) && Files.exists(Path.of(r.netns()))) {
                try {
                    Guest g = guest(r.containerId(), r.netns());
                    // An engine's ID (64 hex digits) is listed by the short ID (12) the engine shows, which
                    // find() takes back; another runtime's ID is listed whole (two could share 12 characters).
                    String shortId = ENGINE_ID.matcher(r.containerId()).matches() ? r.containerId().substring(0, 12)
                            : r.containerId();
                    guests.add(new Guest(shortId, RUNTIME, g.id(), g.name(), g.pid(), g.netnsPath(), g.netnsInode()));
                } catch (RuntimeException e) {
                    // the namespace went away meanwhile
                }
            }
        }
        return guests;
    }
}
