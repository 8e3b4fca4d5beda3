package dev.pipework.watch;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LanesTest {

    @Test
    void eachLaneKeepsItsOrderWhileLanesRunSideBySide() throws Exception {
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (Lanes lanes = new Lanes(() -> false, e -> { throw e; })) {
            for (int i = 0; i < 50; i++) {
                for (String lane : List.of("a", "b", "c", "d", "e", "f")) {
                    int n = i;
                    lanes.submit(lane, () -> {
                        most.accumulateAndGet(running.incrementAndGet(), Math::max);
                        seen.computeIfAbsent(lane, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(n);
                        sleep(1);
                        running.decrementAndGet();
                    });
                }
            }
            lanes.awaitIdle();
            assertTrue(lanes.idle());
        }
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            inOrder.add(i);
        }
        assertEquals(6, seen.size());
        seen.values().forEach(got -> assertEquals(inOrder, got));
        assertTrue(most.get() > 1, "lanes side by side");
        assertTrue(most.get() <= Lanes.THREADS, "at most " + Lanes.THREADS + " at once: " + most.get());
    }

    @Test
    void onceStoppingWhatWaitsIsDroppedAndWhatRunsEnds() throws Exception {
        AtomicBoolean stopping = new AtomicBoolean();
        CountDownLatch begun = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ended = new AtomicInteger();
        AtomicInteger after = new AtomicInteger();
        Lanes lanes = new Lanes(stopping::get, e -> { throw e; });
        lanes.submit("a", () -> {
            begun.countDown();
            await(release);
            ended.incrementAndGet();
        });
        lanes.submit("a", after::incrementAndGet);
        assertTrue(begun.await(10, TimeUnit.SECONDS));
        stopping.set(true);
        release.countDown();
        lanes.close();
        assertEquals(1, ended.get(), "the action under way ended");
        assertEquals(0, after.get(), "the one behind it was dropped");
    }

    @Test
    void aFailureIsReportedAndItsLaneGoesOn() {
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ran = new AtomicInteger();
        try (Lanes lanes = new Lanes(() -> false, e -> failures.add(e.getMessage()))) {
            lanes.submit("a", () -> {
                throw new IllegalStateException("broken");
            });
            lanes.submit("a", ran::incrementAndGet);
            lanes.awaitIdle();
        }
        assertEquals(List.of("broken"), failures);
        assertEquals(1, ran.get());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
