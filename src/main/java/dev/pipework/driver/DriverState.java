package dev.pipework.driver;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the driver keeps between its runs, one JSON file per network, endpoint and address pool
 * under one directory ({@code /var/lib/pipework/docker} unless told otherwise): each written to a
 * temporary file in the same directory, flushed, then renamed over the old one, so a driver killed
 * at any moment leaves the old record or the new, never half of one.
 */
public final class DriverState {
    public static final Path DEFAULT = Path.of("/var/lib/pipework/docker");
    /** The variable that moves the directory (tests), below the {@code --state-dir} option. */
    public static final String VARIABLE = "PIPEWORK_DRIVER_STATE";

    private final Path dir;
    private volatile java.util.function.Consumer<String> damaged = line -> { };

    public DriverState(Path dir) {
        this.dir = dir;
    }

    /** Where {@link #all} reports a record it cannot read (and leaves where it is). */
    public void onDamaged(java.util.function.Consumer<String> report) {
        this.damaged = report;
    }

    public Path dir() {
        return dir;
    }

    /** The kinds of record, each in a directory of its own. */
    public enum Kind {
        NETWORK("networks"), ENDPOINT("endpoints"), POOL("pools");

        private final String directory;

        Kind(String directory) {
            this.directory = directory;
        }
    }

    public Optional<Map<String, Object>> read(Kind kind, String id) {
        Path file = file(kind, id);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.object(Json.parse(Files.readString(file, StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JsonException e) {
            throw new JsonException("record " + file + " is damaged: " + e.getMessage());
        }
    }

    public void write(Kind kind, String id, Map<String, Object> record) {
        Path file = file(kind, id);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(Json.writePretty(record).getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void delete(Kind kind, String id) {
        try {
            Files.deleteIfExists(file(kind, id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every record of a kind that reads, by ID. A damaged one is reported and left as it is (for
     * whoever looks into it): it does not stop the calls about the others.
     */
    public Map<String, Map<String, Object>> all(Kind kind) {
        Path sub = dir.resolve(kind.directory);
        Map<String, Map<String, Object>> records = new LinkedHashMap<>();
        if (!Files.isDirectory(sub)) {
            return records;
        }
        List<String> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(sub)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json") && !n.startsWith("."))
                    .sorted().forEach(n -> ids.add(n.substring(0, n.length() - ".json".length())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String id : ids) {
            try {
                read(kind, id).ifPresent(r -> records.put(id, r));
            } catch (JsonException | IllegalArgumentException | UncheckedIOException e) {
                damaged.accept(e.getMessage() + "; left as it is");
            }
        }
        return records;
    }

    private Path file(Kind kind, String id) {
        // IDs come from the engine: only what an ID is made of reaches a file name.
        if (!id.matches("[A-Za-z0-9_.:-]{1,128}") || id.startsWith(".")) {
            throw new IllegalArgumentException("not an ID: \"" + id + "\"");
        }
        return dir.resolve(kind.directory).resolve(id + ".json");
    }
}
