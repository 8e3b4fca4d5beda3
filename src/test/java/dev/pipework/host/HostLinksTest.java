package dev.pipework.host;

import dev.pipework.plan.HostLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One link by its name, the names alone, every index: what a reading of one guest needs, not every link's files. */
class HostLinksTest {
    @TempDir
    Path sys;

    private void link(String name, int index, int peer, String alias) throws Exception {
        Path dir = Files.createDirectories(sys.resolve(name));
        Files.writeString(dir.resolve("ifindex"), index + "\n");
        Files.writeString(dir.resolve("iflink"), peer + "\n");
        Files.writeString(dir.resolve("ifalias"), alias + "\n");
    }

    @Test
    void oneLinkTheNamesAndTheIndexes() throws Exception {
        link("br1", 4, 4, "");
        Files.createDirectories(sys.resolve("br1/bridge"));
        link("veth1pl42", 7, 6, "pipework");
        Files.createSymbolicLink(sys.resolve("veth1pl42/master"), Path.of("../br1"));
        link("eth0", 2, 2, "");
        SysfsHostInspector host = new SysfsHostInspector(sys, sys, null);
        assertEquals(Optional.of(new HostLink("veth1pl42", 7, 6, Optional.of("br1"), true, "pipework")),
                host.hostLink("veth1pl42"));
        assertEquals(Optional.empty(), host.hostLink("veth1pl43"));
        assertEquals(Set.of("br1", "veth1pl42", "eth0"), host.linkNames());
        assertEquals(Map.of(4, "br1", 7, "veth1pl42", 2, "eth0"), host.linkNamesByIndex());
        assertEquals(host.links().get(7), host.hostLink("veth1pl42").orElseThrow());
        // A name asked alone is a link where the names show one; a name no link can have is none.
        for (String name : List.of("veth1pl42", "br1", "veth1pl43", "..", "a/b", "")) {
            assertEquals(host.linkNames().contains(name), host.linkExists(name), name);
        }
        Files.createDirectories(sys.resolve("veth1pl42/sub"));
        assertEquals(false, host.linkExists("veth1pl42/sub"));
    }
}
