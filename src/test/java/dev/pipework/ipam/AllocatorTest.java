package dev.pipework.ipam;

import dev.pipework.model.IpAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Pool;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which address a holder gets: ranges, exclusions, the gateway, exhaustion, its own again, the cooldown. */
class AllocatorTest {
    static final long COOLDOWN = 60_000;

    static Allocator at(long now) {
        return new Allocator(now, COOLDOWN, l -> true, 42, 7);
    }

    static Holder h(int n) {
        return new Holder("docker", "c" + n, "eth1");
    }

    static Pool pool(String... settings) {
        String[] words = new String[settings.length + 2];
        words[0] = "lan";
        words[1] = "10.0.0.0/24";
        System.arraycopy(settings, 0, words, 2, settings.length);
        return PoolsFile.pool(words);
    }

    @Test
    void givesTheLowestFreeAddressOfTheRangesSkippingGatewayAndExclusions() {
        Pool p = pool("gateway", "10.0.0.10", "range", "10.0.0.9-10.0.0.13", "exclude", "10.0.0.11");
        PoolState s = PoolState.empty(p);
        StringBuilder given = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            Allocator.Given g = at(0).allocate(p, s, h(i));
            assertTrue(g.fresh());
            assertEquals(Lease.State.CLAIMED, g.lease().state());
            s = g.state();
            given.append(g.lease().address()).append(' ');
        }
        assertEquals("10.0.0.9 10.0.0.12 10.0.0.13 ", given.toString());
        PoolState full = s;
        assertEquals("pool \"lan\" has no free address: 3 held",
                assertThrows(PipeworkException.class, () -> at(0).allocate(p, full, h(9))).getMessage());
    }

    @Test
    void aSlash24Gives254AddressesThenTheNextIsRefusedCleanly() {
        Pool p = pool();
        PoolState s = PoolState.empty(p);
        Set<IpAddress> seen = new HashSet<>();
        for (int i = 0; i < 254; i++) {
            Allocator.Given g = at(0).allocate(p, s, h(i));
            s = g.state();
            assertTrue(seen.add(g.lease().address()));
        }
        assertFalse(seen.contains(IpAddress.parse("10.0.0.0")));
        assertFalse(seen.contains(IpAddress.parse("10.0.0.255")));
        PoolState full = s;
        PipeworkException e = assertThrows(PipeworkException.class, () -> at(0).allocate(p, full, h(254)));
        assertEquals("pool \"lan\" has no free address: 254 held", e.getMessage());
        assertEquals(254, full.leases().size());
    }

    @Test
    void aHolderAskingAgainGetsTheAddressItHolds() {
        Pool p = pool();
        Allocator.Given first = at(0).allocate(p, PoolState.empty(p), h(1));
        Allocator.Given other = at(0).allocate(p, first.state(), h(2));
        Allocator.Given again = new Allocator(5, COOLDOWN, l -> true, 44, 9).allocate(p, other.state(), h(1));
        assertFalse(again.fresh());
        assertEquals(first.lease().address(), again.lease().address());
        assertEquals(other.state(), again.state());
    }

    /** etcd: a claim whose answer was lost and that is sent again finds itself, and is still this run's to settle. */
    @Test
    void aRunFindingItsOwnClaimStillSettlesIt() {
        Pool p = pool();
        Allocator.Given first = at(0).allocate(p, PoolState.empty(p), h(1));
        Allocator.Given again = at(0).allocate(p, first.state(), h(1));
        assertTrue(again.fresh());
        assertEquals(first.lease(), again.lease());
    }

    @Test
    void anAddressGivenBackCoolsDownBeforeAnotherHolderGetsIt() {
        Pool p = pool("range", "10.0.0.2-10.0.0.3");
        PoolState s = at(0).allocate(p, PoolState.empty(p), h(1)).state();
        s = at(0).allocate(p, s, h(2)).state();
        s = at(1000).release(s, h(1), false);
        assertEquals(Lease.State.COOLING, s.leases().values().iterator().next().state());
        PoolState cooling = s;
        assertEquals("pool \"lan\" has no free address: 1 held, 1 cooling down (given back less than 60 s ago)",
                assertThrows(PipeworkException.class, () -> at(1000 + COOLDOWN - 1).allocate(p, cooling, h(3)))
                        .getMessage());
        Allocator.Given back = at(2000).allocate(p, cooling, h(1));
        assertEquals(IpAddress.parse("10.0.0.2"), back.lease().address());
        assertTrue(back.fresh());
        assertEquals(back.previous().orElseThrow().state(), Lease.State.COOLING);
        Allocator.Given later = at(1000 + COOLDOWN).allocate(p, cooling, h(3));
        assertEquals(IpAddress.parse("10.0.0.2"), later.lease().address());
    }

    @Test
    void aClaimOfARunThatIsGoneCoolsDown() {
        Pool p = pool();
        PoolState s = at(0).allocate(p, PoolState.empty(p), h(1)).state();
        Allocator dead = new Allocator(10, COOLDOWN, l -> false, 43, 8);
        Allocator.Given g = dead.allocate(p, s, h(2));
        assertEquals(IpAddress.parse("10.0.0.2"), g.lease().address());
        assertEquals(Lease.State.COOLING, g.state().leases().get(Pool.number(IpAddress.parse("10.0.0.1"))).state());
    }

    @Test
    void aFixedAddressIsReservedAndRefusedToAnother() {
        Pool p = pool();
        IpAddress five = IpAddress.parse("10.0.0.5");
        Allocator.Given r = at(0).reserve(p, PoolState.empty(p), h(1), five);
        assertTrue(r.fresh());
        assertFalse(new Allocator(5, COOLDOWN, l -> true, 44, 9).reserve(p, r.state(), h(1), five).fresh());
        assertEquals("address 10.0.0.5 of pool \"lan\" is held by docker c1 eth1",
                assertThrows(PipeworkException.class, () -> at(0).reserve(p, r.state(), h(2), five)).getMessage());
        PoolState s = r.state();
        for (int i = 2; i < 8; i++) {
            Allocator.Given g = at(0).allocate(p, s, h(i + 10));
            assertFalse(g.lease().address().equals(five));
            s = g.state();
        }
    }

    @Test
    void releasingEveryInterfaceOfAGuestLeavesOtherGuestsAlone() {
        Pool p = pool();
        PoolState s = at(0).allocate(p, PoolState.empty(p), new Holder("docker", "c1", "eth1")).state();
        s = at(0).allocate(p, s, new Holder("docker", "c1", "eth2")).state();
        s = at(0).allocate(p, s, new Holder("docker", "c2", "eth1")).state();
        PoolState after = at(5).release(s, new Holder("docker", "c1", "eth1"), true);
        assertEquals(2, after.list().stream().filter(l -> l.state() == Lease.State.COOLING).count());
        assertEquals(Lease.State.CLAIMED, after.leases().get(Pool.number(IpAddress.parse("10.0.0.3"))).state());
    }

    /** The same for a fixed address: this run's own claim found again is still this run's; another run's is not. */
    @Test
    void aRunFindingItsOwnReservationStillSettlesIt() {
        Pool p = pool();
        IpAddress fixed = IpAddress.parse("10.0.0.7");
        Allocator.Given first = at(0).reserve(p, PoolState.empty(p), h(1), fixed);
        assertTrue(first.fresh());
        Allocator.Given again = at(0).reserve(p, first.state(), h(1), fixed);
        assertTrue(again.fresh());
        assertEquals(first.lease(), again.lease());
        Allocator.Given otherRun = new Allocator(5, COOLDOWN, l -> true, 44, 9).reserve(p, first.state(), h(1), fixed);
        assertFalse(otherRun.fresh());
    }
}
