package dev.pipework.plan;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "eth1, 4242, veth1pl4242, veth1pg4242",
            "eth2, 4194304, veth2pl4194304, veth2pg4194304",
            "eth1, 41943040, veth1pl41943040, veth1pg41943040",
            "eth1, 4026532999, v7aa47c7205pl, v7aa47c7205pg",
            "container0, 4242, v21ca24200fpl, v21ca24200fpg",
    })
    void originalNamesOrAShortStableOne(String cif, long number, String host, String guest) {
        assertEquals(host, Names.vethHostEnd(cif, number));
        assertEquals(guest, Names.vethGuestEnd(cif, number));
        assertTrue(host.length() <= Names.MAX);
    }
}
