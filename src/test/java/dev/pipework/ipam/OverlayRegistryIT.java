package dev.pipework.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.EtcdCluster;
import dev.pipework.model.PipeworkException;

/**
 * The overlays' registrations in a real etcd: a host name two machines share (their boots differ)
 * is refused to the second while the first's lease lives; a keeper of the same boot started again
 * takes its host's key over.
 */
class OverlayRegistryIT {

    @Test
    void aHostNameOfAnotherMachineIsRefusedAndOneOfThisBootTakenOver() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start()) {
            String url = etcd.store();
            OverlayRegistry first = registry(url, "hx", "boot-a");
            OverlayRegistry clone = registry(url, "hx", "boot-b");
            OverlayRegistry again = registry(url, "hx", "boot-a");
            OverlayRegistry other = registry(url, "hy", "boot-c");
            first.register(Map.of(7, "192.0.2.1"));
            assertEquals(List.of(new OverlayRegistry.Vtep("hx", "192.0.2.1")), other.peers(7));

            PipeworkException refused = assertThrows(PipeworkException.class, () -> clone.register(Map.of(7, "192.0.2.9")));
            assertTrue(refused.getMessage().contains("host name \"hx\" is registered by another machine (boot boot-a,"
                    + " address 192.0.2.1) under a lease still alive: two machines share this host name"), refused.getMessage());
            assertEquals(List.of(new OverlayRegistry.Vtep("hx", "192.0.2.1")), other.peers(7), "the first one's key kept");

            // The keeper started again on the same boot (the first killed: its lease still alive).
            again.register(Map.of(7, "192.0.2.2"));
            assertEquals(List.of(new OverlayRegistry.Vtep("hx", "192.0.2.2")), other.peers(7));
            first.close();
            assertEquals(List.of(new OverlayRegistry.Vtep("hx", "192.0.2.2")), other.peers(7),
                    "the earlier lease given back takes no key of the later one's");
            again.close();
            assertEquals(List.of(), other.peers(7));
            clone.register(Map.of(7, "192.0.2.9"));
            assertEquals(List.of(new OverlayRegistry.Vtep("hx", "192.0.2.9")), other.peers(7), "free once given back");
            clone.close();
        }
    }

    private static OverlayRegistry registry(String url, String host, String boot) {
        return new OverlayRegistry(EtcdStore.gateway(url, Map.of(), Duration.ofSeconds(2)), host, 30, boot);
    }
}
