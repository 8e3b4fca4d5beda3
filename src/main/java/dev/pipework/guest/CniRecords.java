package dev.pipework.guest;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a CNI ADD leaves for the verbs after it, one JSON file per container interface
 * ({@code <dir>/<container ID>:<ifname>.json}): the namespace, the host end, the network
 * configuration (which DEL of a vanished namespace and GC need for the IPAM plugin) and the result.
 * It lives under {@code /run}, so a reboot, which takes every namespace with it, forgets it too.
 */
public final class CniRecords {
    public static final Path DEFAULT_DIR = Path.of("/run/pipework/cni");

    private final Path dir;

    public CniRecords(Path dir) {
        this.dir = dir;
    }

    /**
     * One attachment.
     *
     * @param hostEnd the host end of the veth, empty for an interface that lives wholly in the guest
     * @param config  the network configuration as ADD received it
     * @param result  the result ADD printed
     * @param netnsInode the inode of the namespace ADD plumbed into (0 when not known): a namespace
     *                   made again at the same path is another one, whose interfaces are not this record's
     */
    public record Record(String containerId, String ifname, String netns, String network, String hostEnd,
                         Map<String, Object> config, Map<String, Object> result, long netnsInode) {

        /** A record whose namespace inode is read when it is written. */
        public Record(String containerId, String ifname, String netns, String network, String hostEnd,
                      Map<String, Object> config, Map<String, Object> result) {
            this(containerId, ifname, netns, network, hostEnd, config, result, 0);
        }

        /**
         * Whether the namespace now at {@code path} is the one this record's interface was plumbed
         * into: a record that kept no inode (an older one) is taken at its word.
         */
        public boolean sameNamespace(String path) {
            if (netnsInode == 0) {
                return true;
            }
            try {
                return ((Number) Files.getAttribute(Path.of(path), "unix:ino")).longValue() == netnsInode;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("containerId", containerId);
            m.put("ifname", ifname);
            m.put("netns", netns);
            m.put("network", network);
            m.put("hostEnd", hostEnd);
            m.put("config", config);
            m.put("result", result);
            m.put("netnsInode", netnsInode);
            return m;
        }

        static Record fromJson(Map<String, Object> m) {
            return new Record(text(m, "containerId"), text(m, "ifname"), text(m, "netns"), text(m, "network"),
                    text(m, "hostEnd"), object(m, "config"), object(m, "result"),
                    m.get("netnsInode") instanceof Number n ? n.longValue() : 0);
        }

        private static String text(Map<String, Object> m, String key) {
            String s = Json.string(m, key);
            return s == null ? "" : s;
        }

        private static Map<String, Object> object(Map<String, Object> m, String key) {
            Object v = m.get(key);
            return v == null ? Map.of() : Json.object(v);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Writes the record, replacing the one of the same container interface, atomically. */
    public void write(Record record) throws IOException {
        Files.createDirectories(dir);
        if (record.netnsInode() == 0 && !record.netns().isEmpty()) {
            long inode = ((Number) Files.getAttribute(Path.of(record.netns()), "unix:ino")).longValue();
            record = new Record(record.containerId(), record.ifname(), record.netns(), record.network(),
                    record.hostEnd(), record.config(), record.result(), inode);
        }
        Path file = file(record.containerId(), record.ifname());
        // A name of its own, made with O_EXCL (which follows no symlink): what is at a known
        // temporary path is never written through.
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            Files.write(tmp, (Json.writePretty(record.toJson()) + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        String containerId = record.containerId();
        String ifname = record.ifname();
        Path legacy = legacyFile(containerId, ifname);
        if (read(legacy).filter(r -> isOf(r, containerId, ifname)).isPresent()) {
            Files.deleteIfExists(legacy);
        }
    }

    public Optional<Record> read(String containerId, String ifname) {
        Optional<Record> r = read(file(containerId, ifname));
        return r.isPresent() ? r
                : read(legacyFile(containerId, ifname)).filter(l -> isOf(l, containerId, ifname));
    }

    public void remove(String containerId, String ifname) throws IOException {
        Files.deleteIfExists(file(containerId, ifname));
        Path legacy = legacyFile(containerId, ifname);
        if (read(legacy).filter(r -> isOf(r, containerId, ifname)).isPresent()) {
            Files.deleteIfExists(legacy);
        }
    }

    /** Every record; a file that cannot be read is skipped. */
    public List<Record> all() {
        List<Record> records = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return records;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                read(f).ifPresent(records::add);
            }
        } catch (IOException e) {
            return records;
        }
        records.sort((a, b) -> (a.containerId() + "/" + a.ifname()).compareTo(b.containerId() + "/" + b.ifname()));
        return records;
    }

    /**
     * {@code <container ID>:<ifname>.json}: a container ID has no {@code :}, so no two pairs share a
     * name ({@code k}/{@code x-eth4} and {@code k-x}/{@code eth4} did, joined by {@code -}).
     */
    private Path file(String containerId, String ifname) {
        return dir.resolve(containerId + ":" + ifname + ".json");
    }

    /** The name an earlier version gave: read only when the record in it says it is that pair's. */
    private Path legacyFile(String containerId, String ifname) {
        return dir.resolve(containerId + "-" + ifname + ".json");
    }

    private static boolean isOf(Record r, String containerId, String ifname) {
        return r.containerId().equals(containerId) && r.ifname().equals(ifname);
    }

    private static Optional<Record> read(Path file) {
        try {
            return Optional.of(Record.fromJson(Json.object(Json.parse(Files.readString(file, StandardCharsets.UTF_8)))));
        } catch (IOException | JsonException e) {
            return Optional.empty();
        }
    }
}
