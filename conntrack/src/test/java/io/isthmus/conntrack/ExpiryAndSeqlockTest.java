package io.isthmus.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Two guarantees of the control word, driven step by step: the sweeper never removes a
 * connection refreshed between its read of last seen and its claim, and the seqlock does not
 * wrap where a 16-bit one would.
 */
class ExpiryAndSeqlockTest {

    /** Seconds after the insert (at 1 s): UDP_UNREPLIED (30 s) has long expired. */
    private static final int LATER_S = 100;

    @Test
    void aConnectionRefreshedTwiceBetweenTheSweepersReadAndItsClaimIsKept() {
        final RaceFixture fixture = new RaceFixture(4);
        final ConntrackCursor worker = fixture.table.cursor(0);
        final ConntrackSweeper sweeper = new ConntrackSweeper(fixture.table, 4);
        final int ref = fixture.insert(worker, 7);
        final int seq = worker.insertedSeq();
        final int index = ref >>> 1;

        final long control = sweeper.expiredControl(index, LATER_S);
        assertNotEquals(0L, control, "the sweeper finds it expired");
        // Two packets in two different seconds, while the sweeper is between its read and its claim.
        assertEquals(ConntrackCursor.TRACK_ACCEPT, worker.track(ref, seq, 0, 100, LATER_S));
        assertEquals(ConntrackCursor.TRACK_ACCEPT, worker.track(ref, seq, 0, 100, LATER_S + 1));
        assertFalse(sweeper.removeIfStillExpired(index, control, LATER_S + 1),
            "the claim must fail: the connection was refreshed (a TICK toggled twice is back where it was)");
        assertEquals(ref, fixture.find(worker, 7), "the refreshed connection is still there");
        assertTrue(fixture.indexConsistent());

        // It expires 30 s after its last packet, not before.
        assertEquals(0, sweeper.sweepAll(fixture.table.epochUnixMs + (LATER_S + 1 + 29) * 1000L + 500));
        assertEquals(ref, fixture.find(worker, 7));
        assertEquals(1, sweeper.sweepAll(fixture.table.epochUnixMs + (LATER_S + 1 + 31) * 1000L + 500));
        assertEquals(-1, fixture.find(worker, 7));
        assertTrue(fixture.indexConsistent());
    }

    @Test
    void aPacketAfterTheSweepersReadMakesItsClaimFailOrIsToldStale() {
        final RaceFixture fixture = new RaceFixture(4);
        final ConntrackCursor worker = fixture.table.cursor(0);
        final ConntrackSweeper sweeper = new ConntrackSweeper(fixture.table, 4);
        final int ref = fixture.insert(worker, 7);
        final int seq = worker.insertedSeq();

        // The packet first: claim fails, connection kept.
        final long control = sweeper.expiredControl(ref >>> 1, LATER_S);
        assertEquals(ConntrackCursor.TRACK_ACCEPT, worker.track(ref, seq, 0, 100, LATER_S));
        assertFalse(sweeper.removeIfStillExpired(ref >>> 1, control, LATER_S));
        assertEquals(ref, fixture.find(worker, 7));

        // Much later, the sweeper first (TICK set by the packet above: cleared, then claimed): the packet is stale.
        final int later = LATER_S + 60;
        final long again = sweeper.expiredControl(ref >>> 1, later);
        assertNotEquals(0L, again);
        assertTrue(sweeper.removeIfStillExpired(ref >>> 1, again, later));
        assertEquals(ConntrackCursor.TRACK_STALE, worker.track(ref, seq, 0, 100, later));
        assertEquals(-1, fixture.find(worker, 7));
        assertTrue(fixture.indexConsistent());
    }

    @Test
    void theSeqlockDoesNotWrapAfter65536Reuses() {
        final RaceFixture fixture = new RaceFixture(1);
        final ConntrackCursor worker = fixture.table.cursor(0);
        final int ref = fixture.insert(worker, 1);
        final int staleSeq = worker.insertedSeq();
        assertTrue(worker.remove(ref, staleSeq));
        // Each reuse (insert, remove) adds 2: 32,768 of them add 2^16, where a 16-bit sequence
        // would be back at the stale reader's value.
        for (int reuse = 1; reuse < 1 << 15; reuse++) {
            final int again = fixture.insert(worker, 1);
            assertEquals(ref, again, "a one-entry table reuses its entry");
            assertTrue(worker.remove(again, worker.insertedSeq()));
        }
        assertEquals(ref, fixture.insert(worker, 1));
        final int liveSeq = worker.insertedSeq();
        assertEquals(staleSeq + (1 << 16), liveSeq, "the sequence moved by 2 per reuse, past 16 bits");
        assertEquals(ConntrackCursor.TRACK_STALE, worker.track(ref, staleSeq, 0, 100, 2),
            "a reader holding the seqlock of 65,536 reuses ago must not update the new connection");
        assertFalse(worker.remove(ref, staleSeq), "nor remove it");
        assertEquals(ConntrackCursor.TRACK_ACCEPT, worker.track(ref, liveSeq, 0, 100, 2));
        assertEquals(liveSeq, ConntrackDescriptor.controlSeq(ConntrackDescriptor.control(liveSeq, 0x1234_5678)),
            "the control word keeps all 32 bits of the sequence");
    }
}
