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

    private AdaptiveIdleStrategy strategy(long spinNs) {
        return new AdaptiveIdleStrategy(spinNs, 10_000L, 80_000L, () -> nowNs, parks::add);
    }

    @Test
    void pollsWithoutParkingUntilThePortsHaveBeenQuietForTheSpinPeriod() {
        final AdaptiveIdleStrategy idle = strategy(200_000L);
        for (int cycle = 0; cycle < 1_000; cycle++) { // many empty cycles, little time: no park
            idle.idle(0);
            nowNs += 100L;
        }
        assertTrue(parks.isEmpty(), "parked after 100 us of quiet: " + parks);
        nowNs += 100_000L; // 200 us quiet now
        idle.idle(0);
        assertEquals(List.of(10_000L), parks);
    }

    @Test
    void parksDoubleUpToTheMaximumAndWorkStartsTheQuietPeriodOver() {
        final AdaptiveIdleStrategy idle = strategy(50_000L);
        idle.idle(0);
        nowNs += 50_000L;
        for (int cycle = 0; cycle < 6; cycle++) {
            idle.idle(0);
        }
        assertEquals(List.of(10_000L, 20_000L, 40_000L, 80_000L, 80_000L, 80_000L), parks);

        idle.idle(3); // a packet: poll again through a whole quiet period
        parks.clear();
        idle.idle(0);
        nowNs += 49_999L;
        idle.idle(0);
        assertTrue(parks.isEmpty(), "parked before the quiet period after work: " + parks);
        nowNs += 1L;
        idle.idle(0);
        assertEquals(List.of(10_000L), parks, "the first park after work is the shortest again");
    }

    @Test
    void aZeroSpinPeriodParksOnTheFirstEmptyCycle() {
        final AdaptiveIdleStrategy idle = strategy(0L);
        idle.idle(0);
        assertEquals(List.of(10_000L), parks);
    }

    @Test
    void theSpinPeriodPropertyIsInMicrosecondsAndBadValuesNameIt() {
        assertEquals(AdaptiveIdleStrategy.DEFAULT_SPIN_NS, AdaptiveIdleStrategy.spinNsFromProperty(null));
        assertEquals(AdaptiveIdleStrategy.DEFAULT_SPIN_NS, AdaptiveIdleStrategy.spinNsFromProperty(" "));
        assertEquals(50_000L, AdaptiveIdleStrategy.spinNsFromProperty("50"));
        assertEquals("isthmus.worker.idleSpinUs takes microseconds, not 'fast'",
                assertThrows(IllegalArgumentException.class, () -> AdaptiveIdleStrategy.spinNsFromProperty("fast")).getMessage());
        assertEquals("isthmus.worker.idleSpinUs must be 0..1000000 µs, not -1",
                assertThrows(IllegalArgumentException.class, () -> AdaptiveIdleStrategy.spinNsFromProperty("-1")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveIdleStrategy(0, 0, 10, () -> 0L, ns -> { }));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveIdleStrategy(0, 20, 10, () -> 0L, ns -> { }));
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
