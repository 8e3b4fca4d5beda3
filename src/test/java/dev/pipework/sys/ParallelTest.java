package dev.pipework.sys;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParallelTest {
    /** The answers come in the order of the questions, whichever ends first; several run at once. */
    @Test
    void answersInOrderSeveralAtOnce() {
        List<Integer> items = IntStream.range(0, 40).boxed().toList();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> squares = Parallel.map(items, i -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            sleep(i % 3 == 0 ? 20 : 1);
            running.decrementAndGet();
            return i * i;
        });
        assertEquals(items.stream().map(i -> i * i).toList(), squares);
        assertTrue(most.get() > 1 && most.get() <= Parallel.THREADS, "at once: " + most.get());
    }

    /** A failure is thrown once every read has ended: none is left running behind the caller. */
    @Test
    void aFailureIsThrownAfterTheOthersEnded() {
        java.util.Set<Integer> ended = ConcurrentHashMap.newKeySet();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.map(List.of(1, 2, 3, 4), i -> {
            if (i == 2) {
                throw new IllegalStateException("two");
            }
            sleep(30);
            ended.add(i);
            return i;
        }));
        assertEquals("two", e.getMessage());
        assertEquals(java.util.Set.of(1, 3, 4), ended);
    }

    @Test
    void noneOrOneIsReadHere() {
        assertEquals(List.of(), Parallel.map(List.<Integer>of(), i -> i));
        assertEquals(List.of(Thread.currentThread().getName()), Parallel.map(List.of(1), i -> Thread.currentThread().getName()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
