package dev.pipework.cni;

import dev.pipework.guest.CniRecords;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A DEL removes an interface from the host interface its ADD made it on, as its record says. */
class MadeOnTest {
    static Optional<CniRecords.Record> recorded(Map<String, Object> config) {
        return Optional.of(new CniRecords.Record("c1", "eth0", "/var/run/netns/c1", "net", "", config, Map.of()));
    }

    @Test
    void theRecordsHostInterfaceComesFirst() {
        assertEquals("ovs0", CniPlugin.madeOn(recorded(Map.of("bridge", "ovs0")), "br0"), "the bridge since replaced");
        assertEquals("eth9", CniPlugin.madeOn(recorded(Map.of("master", "eth9")), "br0"));
        assertEquals("br0", CniPlugin.madeOn(Optional.empty(), "br0"), "no record");
        assertEquals("br0", CniPlugin.madeOn(recorded(Map.of()), "br0"), "a record without one");
        assertEquals("br0", CniPlugin.madeOn(recorded(Map.of("bridge", "../../x")), "br0"), "not an interface's name");
        assertEquals("br0", CniPlugin.madeOn(recorded(Map.of("bridge", 7)), "br0"), "not a string");
    }
}
