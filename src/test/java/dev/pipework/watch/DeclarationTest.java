package dev.pipework.watch;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which labels declare, in which order; the attachments file and the guests it names. */
class DeclarationTest {

    @Test
    void pipeworkAndPipeworkDotAnythingDeclare() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("pipework.lan", "ovs0 -i eth2 10.0.0.5/24 @100");
        labels.put("com.example.other", "x");
        labels.put("pipework", "br1 192.168.1.10/24");
        labels.put("pipeworks", "y");
        labels.put("pipework.", "z");
        labels.put("dev.pipework.dhcp-for", "abc");
        assertEquals(List.of(new Declaration("label pipework", "br1 192.168.1.10/24"),
                new Declaration("label pipework.lan", "ovs0 -i eth2 10.0.0.5/24 @100")), Declaration.fromLabels(labels));
        assertTrue(Declaration.anyIn(labels));
        assertFalse(Declaration.anyIn(Map.of("pipeworks", "y", "dev.pipework.interface", "eth1")));
    }

    @Test
    void theFileReadsEachLineAndKeepsTheBadOnesWithTheirError() {
        RequestReader reader = new RequestReader() {
            public AttachRequest label(String value, String guest) {
                throw new UnsupportedOperationException();
            }

            public AttachRequest line(String line) {
                String[] w = line.split(" ");
                if (w.length != 3) {
                    throw new InvalidValueException("bad line: " + line);
                }
                return AttachRequest.on(w[0], w[1]).build();
            }
        };
        AttachmentsFile file = new AttachmentsFile(Path.of("/etc/pipework/attachments"), reader);
        List<AttachmentsFile.Entry> entries = file.parse(List.of("# comment", "", "br1 web 0/0", "  garbage  "));
        assertEquals(2, entries.size());
        assertEquals("/etc/pipework/attachments:3", entries.get(0).declaration().source());
        assertEquals("web", entries.get(0).request().orElseThrow().guest());
        assertEquals("/etc/pipework/attachments:4", entries.get(1).declaration().source());
        assertEquals(Optional.of("bad line: garbage"), entries.get(1).error());
    }

    @Test
    void theFileNamesAContainerByNameOrLongEnoughIdPrefix() {
        String id = "7cf203e0e8da1d98603d426c6cb8fa93a2471f7c0fb5f0bd4db2fb6fa41a3174";
        assertTrue(AttachmentsFile.names("web", id, "web"));
        assertTrue(AttachmentsFile.names("/web", id, "web"));
        assertTrue(AttachmentsFile.names("7cf203e0e8da", id, "web"));
        assertTrue(AttachmentsFile.names(id, id, "web"));
        assertFalse(AttachmentsFile.names("7cf2", id, "web"));
        assertFalse(AttachmentsFile.names("web2", id, "web"));
        assertFalse(AttachmentsFile.names("7cf203e0e8db", id, "web"));
    }
}
