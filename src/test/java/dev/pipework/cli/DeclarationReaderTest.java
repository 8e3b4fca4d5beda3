package dev.pipework.cli;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.PipeworkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Labels and lines of the attachments file read as the command line reads an attach. */
class DeclarationReaderTest {
    private final DeclarationReader reader = new DeclarationReader();

    @Test
    void whatCannotBeDeclaredComesFromTheCommandModel() {
        assertEquals(java.util.Set.of("--batch", "--wait", "--timeout", "--dry-run", "--json", "-h", "--help", "--version"),
                DeclarationReader.notDeclarable(Help.attach()));
    }

    @Test
    void aLabelIsAnAttachWithoutTheGuest() {
        AttachRequest r = reader.label("br1 192.168.1.10/24@192.168.1.1", "web");
        assertEquals("br1", r.hostInterface());
        assertEquals("web", r.guest());
        AddressSpec.Static s = (AddressSpec.Static) r.address();
        assertEquals("192.168.1.10/24", s.address().toString());
        assertEquals("192.168.1.1", s.gateway().orElseThrow().toString());
    }

    @Test
    void optionsAndVlanInALabel() {
        AttachRequest r = reader.label("ovs0 -i eth2 10.0.0.5/24 @100", "db");
        assertEquals("ovs0", r.hostInterface());
        assertEquals(Optional.of("eth2"), r.containerInterface());
        assertEquals("db", r.guest());
        assertEquals(100, r.vlan().orElseThrow().id());
        AttachRequest mac = reader.label("br1 'dhcp' U:web.example.com", "web");
        assertTrue(mac.address() instanceof AddressSpec.Dhcp);
        assertEquals("02:72:6c:cd:9b:8d".length(), mac.mac().orElseThrow().text().length());
    }

    @Test
    void aLineOfTheFileNamesItsGuest() {
        AttachRequest r = reader.line("br1 -i eth3 web 10.0.3.2/24");
        assertEquals("web", r.guest());
        assertEquals(Optional.of("eth3"), r.containerInterface());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nonsense", "br1", "br1 10.0.0.5", "br1 300.0.0.1/24", "br1 10.0.0.5/24 @5000",
            "br1 10.0.0.5/24 zz:zz", "route add 10.0.0.0/8 via 10.0.0.1", "del", "br1 --batch f 10.0.0.5/24",
            "br1 --dry-run 10.0.0.5/24", "br1 --batch=f 10.0.0.5/24", "br1 --dry-run=false 10.0.0.5/24",
            "br1 --json=true 10.0.0.5/24", "br1 --version=true 10.0.0.5/24", "br1 -hv 10.0.0.5/24", "br1 -x 10.0.0.5/24", "br1 10.0.0.5/24 @100 extra", "br1 'unterminated"})
    void aMalformedLabelIsRefusedWithAMessage(String value) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            AttachRequest r = reader.label(value, "web");
            r.vlan();
        });
        assertTrue(e instanceof InvalidValueException || e instanceof PipeworkException, e.toString());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), e.toString());
    }
}
