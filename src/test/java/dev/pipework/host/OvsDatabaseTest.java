package dev.pipework.host;

import dev.pipework.plan.OvsPort;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OvsDatabaseTest {
    /** What {@code ovs-vsctl --format=json} printed for two bridges, one with a tagged port and a trunk. */
    static final String OUTPUT = """
            {"data":[["ovs0",["set",[["uuid","u-br0"],["uuid","u-p1"],["uuid","u-p2"]]]],["ovs1",["uuid","u-br1"]]],"headings":["name","ports"]}
            {"data":[[["uuid","u-br0"],"ovs0",["set",[]]],[["uuid","u-p1"],"veth1pl42",100],[["uuid","u-p2"],"trunk0",["set",[]]],[["uuid","u-br1"],"ovs1",["set",[]]]],"headings":["_uuid","name","tag"]}
            {"data":[["veth1pl42",["map",[["pipework.bridge","ovs0"],["pipework.interface","veth1pl42"],["pipework.nspid","42"]]]],["trunk0",["map",[]]],["ovs0",["map",[]]],["ovs1",["map",[]]]],"headings":["name","external_ids"]}
            """;

    @Test
    void readsPortsWithTheirBridgeTagAndIds() {
        Map<String, OvsPort> ports = OvsDatabase.parse(OUTPUT);
        assertEquals(2, ports.size(), ports.toString());
        OvsPort tagged = ports.get("veth1pl42");
        assertEquals("ovs0", tagged.bridge());
        assertEquals(Optional.of(100), tagged.tag());
        assertEquals("42", tagged.externalIds().get("pipework.nspid"));
        assertTrue(tagged.plumbed());
        OvsPort trunk = ports.get("trunk0");
        assertEquals(Optional.empty(), trunk.tag());
        assertTrue(!trunk.plumbed());
    }

    @Test
    void unreadableOutputGivesNoPorts() {
        assertTrue(OvsDatabase.parse("not json\n{}\n{}").isEmpty());
        assertTrue(OvsDatabase.parse("").isEmpty());
    }
}
