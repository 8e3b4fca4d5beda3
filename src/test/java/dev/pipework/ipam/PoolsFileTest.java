package dev.pipework.ipam;

import dev.pipework.model.InvalidValueException;
import dev.pipework.model.IpAddress;
import dev.pipework.model.Pool;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pools file and what a pool gives. */
class PoolsFileTest {

    @Test
    void readsPoolsSettingsAndComments() {
        PoolsFile f = PoolsFile.parse("""
                # pools
                store = file:/srv/ipam
                cooldown = 5

                pool lan 192.168.1.0/24 gateway 192.168.1.1 range 192.168.1.100-192.168.1.199 exclude 192.168.1.150
                pool v6 fd00:1::/120
                """);
        assertEquals(Optional.of("file:/srv/ipam"), f.store());
        assertEquals(5, f.cooldown());
        Pool lan = f.pool("lan").orElseThrow();
        assertEquals("192.168.1.0/24", lan.subnet().toString());
        assertEquals(Optional.of(IpAddress.parse("192.168.1.1")), lan.gateway());
        assertEquals("192.168.1.100-192.168.1.199", lan.ranges().get(0).toString());
        assertEquals(99, lan.capacity());
        assertEquals(255, f.pool("v6").orElseThrow().capacity());
        assertEquals(f, PoolsFile.parse(f.text()));
    }

    @Test
    void aLineThatIsNotValidIsNamedByItsNumber() {
        assertEquals("line 2: \"gatway\" is not a pool setting: expected gateway, range or exclude",
                assertThrows(InvalidValueException.class, () -> PoolsFile.parse("# x\npool a 10.0.0.0/24 gatway 10.0.0.1\n"))
                        .getMessage());
        assertTrue(assertThrows(InvalidValueException.class, () -> PoolsFile.parse("pool a 10.0.0.0/24\npool a 10.1.0.0/24"))
                .getMessage().startsWith("line 2: pool \"a\" is declared twice"));
        assertTrue(assertThrows(InvalidValueException.class, () -> PoolsFile.parse("cooldown = soon"))
                .getMessage().contains("cooldown"));
        assertTrue(assertThrows(InvalidValueException.class, () -> PoolsFile.parse("frobnicate"))
                .getMessage().startsWith("line 1: expected"));
    }

    @Test
    void aPoolIsCheckedWhole() {
        List<String[]> bad = List.of(
                new String[] {"../x", "10.0.0.0/24"},
                new String[] {"a", "10.0.0.1/24"},
                new String[] {"a", "10.0.0.0/31"},
                new String[] {"a", "10.0.0.0/24", "gateway", "10.0.1.1"},
                new String[] {"a", "10.0.0.0/24", "range", "10.0.0.9-10.0.0.2"},
                new String[] {"a", "10.0.0.0/24", "range", "10.0.0.9-10.0.1.2"},
                new String[] {"a", "10.0.0.0/24", "gateway"},
                new String[] {"a", "fd00::/64"});
        for (String[] words : bad) {
            assertThrows(InvalidValueException.class, () -> PoolsFile.pool(words), String.join(" ", words));
        }
    }

    @Test
    void theNetworkTheBroadcastTheGatewayAndExclusionsAreNeverGiven() {
        Pool p = PoolsFile.pool(new String[] {"a", "10.0.0.0/24", "gateway", "10.0.0.1", "exclude", "10.0.0.5-10.0.0.7"});
        assertFalse(p.gives(IpAddress.parse("10.0.0.0")));
        assertFalse(p.gives(IpAddress.parse("10.0.0.255")));
        assertFalse(p.gives(IpAddress.parse("10.0.0.1")));
        assertFalse(p.gives(IpAddress.parse("10.0.0.6")));
        assertFalse(p.gives(IpAddress.parse("10.0.1.6")));
        assertTrue(p.gives(IpAddress.parse("10.0.0.2")));
        assertTrue(p.gives(IpAddress.parse("10.0.0.254")));
        assertEquals(254 - 1 - 3, p.capacity());
    }
}
