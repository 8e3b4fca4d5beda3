package dev.pipework.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.pipework.model.Guest;
import dev.pipework.model.Runtime;

/** {@code status} lists each namespace once; a CNI guest that podman made is listed by podman's name and PID. */
class RuntimeResolverAllTest {
    private static final String ID = "0123456789ab".repeat(5) + "cdef";

    private static GuestRuntime listing(Runtime runtime, Guest... guests) {
        return new GuestRuntime() {
            public Runtime runtime() {
                return runtime;
            }

            public Optional<Guest> find(String token, boolean running) {
                return Optional.empty();
            }

            public List<Guest> all() {
                return List.of(guests);
            }
        };
    }

    @Test
    void aCniGuestTakesTheNameAndPidOfTheEngineThatMadeIt() {
        Guest cni = new Guest("0123456789ab", CniRuntime.RUNTIME, Optional.of(ID), Optional.empty(), 0,
                "/run/netns/cni-1", 4026532001L);
        Guest podman = new Guest(ID, PodmanRuntime.RUNTIME, Optional.of(ID), Optional.of("/web"), 4242,
                "/proc/4242/ns/net", 4026532001L);
        // Another container of the same namespace's inode but another ID is not taken for it.
        Guest other = new Guest("x", CniRuntime.RUNTIME, Optional.of("k8s-pod-1"), Optional.empty(), 0,
                "/run/netns/cni-2", 4026532002L);
        Guest stranger = new Guest("y", PodmanRuntime.RUNTIME, Optional.of(ID.replace('0', 'f')), Optional.of("/db"), 77,
                "/proc/77/ns/net", 4026532002L);
        List<Guest> all = new RuntimeResolver(List.of(listing(CniRuntime.RUNTIME, cni, other),
                listing(PodmanRuntime.RUNTIME, podman, stranger)), null, w -> { }).all();
        assertEquals(2, all.size(), all.toString());
        Guest web = all.get(0);
        assertEquals("web", web.displayName());
        assertEquals(4242, web.pid());
        assertEquals("0123456789ab", web.token());
        assertEquals("cni", web.runtime().key());
        assertEquals("/run/netns/cni-1", web.netnsPath());
        assertEquals(other, all.get(1));
    }
}
