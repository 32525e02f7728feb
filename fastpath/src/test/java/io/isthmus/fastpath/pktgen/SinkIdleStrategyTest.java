package io.isthmus.fastpath.pktgen;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SinkIdleStrategyTest {
    private final SinkIdleStrategy idle = new SinkIdleStrategy(64, 200_000, 1_000_000);

    @Test
    void aFullBatchPollsAgainAtOnce() {
        assertEquals(0, idle.nextParkNs(64));
        assertEquals(0, idle.nextParkNs(65));
    }

    @Test
    void aPartBatchParksTheReceivingPark() {
        assertEquals(200_000, idle.nextParkNs(1));
        assertEquals(200_000, idle.nextParkNs(63));
    }

    @Test
    void nothingArrivingDoublesTheParkUpToTheMaximumAndTrafficResetsIt() {
        assertEquals(200_000, idle.nextParkNs(0));
        assertEquals(400_000, idle.nextParkNs(0));
        assertEquals(800_000, idle.nextParkNs(0));
        assertEquals(1_000_000, idle.nextParkNs(0));
        assertEquals(1_000_000, idle.nextParkNs(0));
        assertEquals(200_000, idle.nextParkNs(5));
        assertEquals(200_000, idle.nextParkNs(0), "back to the short park after traffic");
        idle.nextParkNs(0);
        assertEquals(0, idle.nextParkNs(64));
        assertEquals(200_000, idle.nextParkNs(0), "a full batch resets the backoff too");
    }

    @Test
    void refusesParksThatCannotBackOff() {
        assertThrows(IllegalArgumentException.class, () -> new SinkIdleStrategy(64, 200_000, 100_000));
        assertThrows(IllegalArgumentException.class, () -> new SinkIdleStrategy(0, 200_000, 1_000_000));
        assertThrows(IllegalArgumentException.class, () -> new SinkIdleStrategy(64, 0, 1_000_000));
    }
}
