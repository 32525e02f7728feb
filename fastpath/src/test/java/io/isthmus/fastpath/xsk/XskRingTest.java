package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.linux.XdpConstants;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ring index arithmetic over plain memory, playing the kernel's side by hand. */
class XskRingTest {
    private static final long PRODUCER = 0;
    private static final long CONSUMER = 64;
    private static final long FLAGS = 128;
    private static final long DESC = 192;
    private final MemorySegment mapping = Arena.ofAuto().allocate(DESC + 8 * 16, 64);

    @Test
    void aProducerRingPublishesOnlyAtSubmitAndCountsFreeSlotsAcrossWrapAround() {
        final FillRing fill = new FillRing(mapping, PRODUCER, CONSUMER, FLAGS, DESC, 8);
        assertEquals(8, fill.free(8));
        for (int i = 0; i < 5; i++) {
            fill.put(0x1000L * i);
        }
        assertEquals(0, mapping.get(JAVA_INT, PRODUCER), "nothing visible before submit");
        assertEquals(5, fill.submit());
        assertEquals(5, mapping.get(JAVA_INT, PRODUCER));
        assertEquals(5, fill.outstanding());
        assertEquals(3, fill.free(3));
        assertEquals(3, fill.free(8), "the kernel consumed nothing yet");
        mapping.set(JAVA_INT, CONSUMER, 4); // kernel took 4
        assertEquals(7, fill.free(8));
        assertEquals(1, fill.outstanding());
        for (int i = 5; i < 12; i++) {
            fill.put(0x1000L * i);
        }
        fill.submit();
        assertEquals(12, mapping.get(JAVA_INT, PRODUCER));
        assertEquals(0x1000L * 8, mapping.get(JAVA_LONG, DESC), "entry 8 wrapped to slot 0");
        assertEquals(0x1000L * 11, mapping.get(JAVA_LONG, DESC + 3 * 8));
    }

    @Test
    void aConsumerRingSeesEntriesOnlyUpToTheProducerAndReleasesThem() {
        final RxRing rx = new RxRing(mapping, PRODUCER, CONSUMER, FLAGS, DESC, 8);
        assertEquals(0, rx.peek(64));
        for (int i = 0; i < 3; i++) { // kernel writes three descriptors, then the producer index
            mapping.set(JAVA_LONG, DESC + i * 16L, 0x800L * i + 256);
            mapping.set(JAVA_INT, DESC + i * 16L + 8, 60 + i);
        }
        mapping.set(JAVA_INT, PRODUCER, 3);
        assertEquals(2, rx.peek(2));
        assertEquals(256, rx.address(0));
        assertEquals(61, rx.length(1));
        rx.release(2);
        assertEquals(2, mapping.get(JAVA_INT, CONSUMER));
        assertEquals(1, rx.peek(64));
        assertEquals(0x800L * 2 + 256, rx.address(0));
        rx.release(1);
        assertEquals(0, rx.peek(64));
    }

    @Test
    void indexesWrapAroundTheU32Range() {
        mapping.set(JAVA_INT, PRODUCER, -2);
        mapping.set(JAVA_INT, CONSUMER, -2);
        final TxRing tx = new TxRing(mapping, PRODUCER, CONSUMER, FLAGS, DESC, 8);
        assertEquals(8, tx.free(8));
        for (int i = 0; i < 4; i++) {
            tx.put(i * 2048L, 100);
        }
        tx.submit();
        assertEquals(2, mapping.get(JAVA_INT, PRODUCER));
        assertEquals(4, tx.outstanding());
        mapping.set(JAVA_INT, CONSUMER, 2);
        assertEquals(0, tx.outstanding());
        assertEquals(8, tx.free(8));
    }

    @Test
    void needWakeupIsTheKernelsFlag() {
        final CompletionRing cq = new CompletionRing(mapping, PRODUCER, CONSUMER, FLAGS, DESC, 8);
        assertFalse(cq.needsWakeup());
        mapping.set(JAVA_INT, FLAGS, XdpConstants.XDP_RING_NEED_WAKEUP);
        assertTrue(cq.needsWakeup());
    }

    @Test
    void ringSizesArePowersOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new RxRing(mapping, PRODUCER, CONSUMER, FLAGS, DESC, 6));
    }
}
