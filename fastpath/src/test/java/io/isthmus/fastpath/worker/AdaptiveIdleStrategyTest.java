package io.isthmus.fastpath.worker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdaptiveIdleStrategyTest {
    private long nowNs = 1_000_000L;
    private final List<Long> parks = new ArrayList<>();
    /** Spins 10..200 µs, parks 10 µs..1 ms. */
    private final AdaptiveIdleStrategy idle = new AdaptiveIdleStrategy(10_000L, 200_000L, 10_000L, 1_000_000L,
            () -> nowNs, parks::add);

    /** Duty cycles with work for {@code ns}, then the first empty one. */
    private void busyFor(long ns) {
        idle.idle(5);
        nowNs += ns;
        idle.idle(5);
    }

    /** Empty duty cycles every {@code stepNs} until {@code ns} have passed. */
    private void quietFor(long ns, long stepNs) {
        for (long end = nowNs + ns; nowNs < end; nowNs += stepNs) {
            idle.idle(0);
        }
    }

    @Test
    void afterALongBusyStretchItPollsThroughTheLongestQuietPeriodWithoutParking() {
        busyFor(5_000_000L); // 5 ms of packets: under load
        quietFor(199_000L, 100L); // ~2,000 empty cycles in 199 µs
        assertTrue(parks.isEmpty(), "parked within 200 us of quiet after a busy stretch: " + parks);
        nowNs += 1_000L; // 200 us quiet
        idle.idle(0);
        assertEquals(List.of(25_000L), parks, "parks once the quiet period is over, an eighth of the quiet so far");
    }

    @Test
    void aShortBusyStretchBuysAShortQuietPeriodSoATrickleOfPacketsDoesNotKeepItSpinning() {
        busyFor(1_000L); // one packet: 1 us of work
        quietFor(9_900L, 100L);
        assertTrue(parks.isEmpty(), "parked before the minimum quiet period: " + parks);
        quietFor(200L, 100L);
        assertEquals(List.of(10_000L), parks, "after 10 us (the minimum), not 200 us, the shortest park");

        parks.clear();
        busyFor(20_000L); // 20 us of work: quiet period 4x that
        quietFor(79_900L, 100L);
        assertTrue(parks.isEmpty(), "parked before 4x the busy stretch: " + parks);
        quietFor(200L, 100L);
        assertEquals(List.of(10_000L), parks);
    }

    @Test
    void parksGrowWithTheQuietTimeUpToTheMaximumAndWorkStartsOver() {
        busyFor(5_000_000L);
        quietFor(200_000L, 100L);
        final long quietStartNs = nowNs - 200_000L;
        for (int i = 0; i < 100 && (parks.isEmpty() || parks.getLast() < 1_000_000L); i++) {
            idle.idle(0);
            nowNs += parks.getLast(); // each park taken as slept in full
        }
        assertEquals(25_000L, parks.getFirst());
        for (int i = 1; i < parks.size(); i++) {
            assertTrue(parks.get(i) > parks.get(i - 1), "parks grow with the quiet time: " + parks);
        }
        assertEquals(1_000_000L, parks.getLast(), "reaches the longest park: " + parks);
        final long quietAtLongestNs = nowNs - parks.getLast() - quietStartNs;
        assertTrue(quietAtLongestNs >= 8_000_000L && quietAtLongestNs < 9_000_000L,
                "the longest park comes after 8 ms of quiet, not " + quietAtLongestNs + " ns");
        idle.idle(0);
        assertEquals(1_000_000L, parks.getLast(), "and stays there");

        parks.clear();
        busyFor(5_000_000L); // packets again: a whole quiet period polled through before the next park
        quietFor(199_000L, 100L);
        assertTrue(parks.isEmpty(), "parked early after work: " + parks);
    }

    @Test
    void zeroSpinParksOnTheFirstEmptyCycle() {
        final AdaptiveIdleStrategy atOnce = new AdaptiveIdleStrategy(0, 0, 10_000L, 80_000L, () -> nowNs, parks::add);
        atOnce.idle(0);
        assertEquals(List.of(10_000L), parks);
    }

    @Test
    void theSpinPropertyIsInMicrosecondsAndBadValuesNameIt() {
        assertEquals(AdaptiveIdleStrategy.DEFAULT_MAX_SPIN_NS, AdaptiveIdleStrategy.maxSpinNsFromProperty(null));
        assertEquals(AdaptiveIdleStrategy.DEFAULT_MAX_SPIN_NS, AdaptiveIdleStrategy.maxSpinNsFromProperty(" "));
        assertEquals(50_000L, AdaptiveIdleStrategy.maxSpinNsFromProperty("50"));
        assertEquals("isthmus.worker.idleSpinUs takes microseconds, not 'fast'",
                assertThrows(IllegalArgumentException.class, () -> AdaptiveIdleStrategy.maxSpinNsFromProperty("fast")).getMessage());
        assertEquals("isthmus.worker.idleSpinUs must be 0..1000000 µs, not -1",
                assertThrows(IllegalArgumentException.class, () -> AdaptiveIdleStrategy.maxSpinNsFromProperty("-1")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveIdleStrategy(0, 0, 0, 10, () -> 0L, ns -> { }));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveIdleStrategy(20, 10, 1, 10, () -> 0L, ns -> { }));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveIdleStrategy(0, 10, 20, 10, () -> 0L, ns -> { }));
    }

    @Test
    void theNodeDefaultIsAdaptiveAndTheCliNameParses() {
        assertEquals(IdleMode.ADAPTIVE, IdleMode.NODE_DEFAULT);
        assertEquals(IdleMode.ADAPTIVE, IdleMode.parse("adaptive"));
        assertInstanceOf(AdaptiveIdleStrategy.class, IdleMode.ADAPTIVE.newStrategy());
        assertEquals("unknown idle strategy 'nap' (want adaptive, busy-spin, backoff or yield)",
                assertThrows(IllegalArgumentException.class, () -> IdleMode.parse("nap")).getMessage());
    }
}
