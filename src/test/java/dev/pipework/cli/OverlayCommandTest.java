package dev.pipework.cli;

import dev.pipework.model.InvalidValueException;
import dev.pipework.plan.OverlayRequest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code overlay add ... peers etcd} read from the words, and the keeper's TTL knob. */
class OverlayCommandTest {
    @Test
    void peersEtcdIsAnOverlayWithoutAddresses() {
        OverlayRequest r = OverlayCommand.request("br42", List.of("peers", "etcd", "vni", "42", "underlay", "eth0"));
        assertTrue(r.etcd());
        assertEquals(List.of(), r.peers());
        assertTrue(r.family().isEmpty(), "the underlay's address decides the family");
        assertThrows(InvalidValueException.class,
                () -> OverlayCommand.request("br42", List.of("peers", "etcd,192.0.2.2", "vni", "42", "underlay", "eth0")));
    }

    @Test
    void theLeaseTtlIsTwoToThreeThousandSixHundredSeconds() {
        assertEquals(OverlayCommand.DEFAULT_TTL, OverlayCommand.ttl(Map.of()));
        assertEquals(2, OverlayCommand.ttl(Map.of("PIPEWORK_OVERLAY_TTL", "2")));
        for (String bad : List.of("1", "3601", "-5", "2s", "99999")) {
            assertThrows(InvalidValueException.class, () -> OverlayCommand.ttl(Map.of("PIPEWORK_OVERLAY_TTL", bad)), bad);
        }
    }
}
