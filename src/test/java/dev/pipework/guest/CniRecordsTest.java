package dev.pipework.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A record knows its namespace by inode: one made again at the same path is another. */
class CniRecordsTest {
    @TempDir
    Path dir;

    @Test
    void aNamespaceMadeAgainAtTheSamePathIsNotTheRecordsOne() throws IOException {
        Path ns = Files.writeString(dir.resolve("ns1"), "first");
        CniRecords records = new CniRecords(dir.resolve("records"));
        records.write(new CniRecords.Record("c1", "eth0", ns.toString(), "net1", "", Map.of(), Map.of()));
        CniRecords.Record r = records.read("c1", "eth0").orElseThrow();
        assertNotEquals(0, r.netnsInode());
        assertTrue(r.sameNamespace(ns.toString()));

        // Written beside it first, so that it cannot get the old file's inode.
        Path again = Files.writeString(dir.resolve("ns1.new"), "second");
        Files.move(again, ns, StandardCopyOption.REPLACE_EXISTING);
        assertFalse(records.read("c1", "eth0").orElseThrow().sameNamespace(ns.toString()));
        assertFalse(r.sameNamespace(dir.resolve("gone").toString()));
    }

    @Test
    void twoPairsThatJoinAlikeKeepTwoRecords() throws IOException {
        Path ns = Files.writeString(dir.resolve("ns2"), "ns");
        CniRecords records = new CniRecords(dir.resolve("records"));
        records.write(new CniRecords.Record("k", "x-eth4", ns.toString(), "net1", "a", Map.of(), Map.of()));
        records.write(new CniRecords.Record("k-x", "eth4", ns.toString(), "net1", "b", Map.of(), Map.of()));
        assertEquals("a", records.read("k", "x-eth4").orElseThrow().hostEnd());
        assertEquals("b", records.read("k-x", "eth4").orElseThrow().hostEnd());
        records.remove("k", "x-eth4");
        assertEquals("b", records.read("k-x", "eth4").orElseThrow().hostEnd());
    }

    @Test
    void aSymlinkAtATemporaryPathIsNotWrittenThrough() throws IOException {
        Path ns = Files.writeString(dir.resolve("ns3"), "ns");
        Path records = Files.createDirectories(dir.resolve("records"));
        Path target = Files.writeString(dir.resolve("target"), "untouched");
        // Every name the earlier version used for its temporary file, pointing elsewhere.
        Files.createSymbolicLink(records.resolve(".c1-eth0.json.tmp"), target);
        Files.createSymbolicLink(records.resolve(".c1:eth0.json.tmp"), target);
        new CniRecords(records).write(new CniRecords.Record("c1", "eth0", ns.toString(), "n", "", Map.of(), Map.of()));
        assertEquals("untouched", Files.readString(target));
        assertTrue(new CniRecords(records).read("c1", "eth0").isPresent());
    }
}
