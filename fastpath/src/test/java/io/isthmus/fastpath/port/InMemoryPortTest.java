package io.isthmus.fastpath.port;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PacketBatch;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryPortTest {

    static byte[] bytes(int n, int length) {
        final byte[] frame = new byte[length];
        java.util.Arrays.fill(frame, (byte) n);
        return frame;
    }

    @Test
    void injectedFramesAreReceivedInOrderAndTransmittedFramesCopiedOut() {
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 8, 2048));
            final InMemoryPort port = new InMemoryPort(2, "mem", pool, 16, 4);
            final PacketBatch batch = new PacketBatch(pool.memory());
            for (int n = 0; n < 10; n++) {
                assertTrue(port.inject(bytes(n, 60 + n)));
            }
            assertFalse(port.inject(new byte[4096]), "larger than a frame buffer");
            assertEquals(8, port.receive(batch), "only as many as the pool has frames");
            assertEquals(1, port.counters().get(PortCounters.Counter.RX_FILL_EMPTY));
            for (int i = 0; i < 8; i++) {
                assertEquals(2, batch.ingressPort[i]);
                assertArrayEquals(bytes(i, 60 + i), batch.segment().asSlice(batch.address[i], batch.length[i]).toArray(ValueLayout.JAVA_BYTE));
            }
            for (int i = 0; i < 4; i++) {
                assertTrue(port.transmit(batch.address[i], batch.length[i]));
            }
            assertFalse(port.transmit(batch.address[4], batch.length[4]), "TX ring of 4 is full");
            assertEquals(1, port.counters().get(PortCounters.Counter.TX_RING_FULL));
            for (int i = 4; i < 8; i++) {
                pool.release(batch.address[i]);
            }
            assertEquals(4, port.flush());
            assertEquals(8, pool.available(), "flushed frames went back to the pool");
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(bytes(i, 60 + i), port.pollTransmitted());
            }
            assertNull(port.pollTransmitted());
            batch.clear();
            assertEquals(2, port.receive(batch), "the two frames that waited for the pool");
            assertEquals(8 + 2, port.counters().get(PortCounters.Counter.RX_PACKETS));
            assertEquals(4, port.counters().get(PortCounters.Counter.TX_PACKETS));
            for (int i = 0; i < 2; i++) {
                pool.release(batch.address[i]);
            }
        }
    }

    @Test
    void generatorFillsEveryBatchAndDiscardRecyclesFrames() {
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 128, 2048));
            final InMemoryPort port = new InMemoryPort(0, "gen", pool, 16, 64);
            final MemorySegment template = MemorySegment.ofArray(bytes(7, 60));
            port.generate(template, 60);
            port.discardTransmitted(true);
            final PacketBatch batch = new PacketBatch(pool.memory());
            for (int round = 0; round < 100; round++) {
                batch.clear();
                assertEquals(64, port.receive(batch));
                for (int i = 0; i < 64; i++) {
                    assertTrue(port.transmit(batch.address[i], batch.length[i]));
                }
                assertEquals(64, port.flush());
            }
            assertArrayEquals(bytes(7, 60), batch.segment().asSlice(batch.address[63], 60).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(128, pool.available());
            assertNull(port.pollTransmitted(), "discarded, not copied out");
            assertEquals(6400, port.counters().get(PortCounters.Counter.TX_PACKETS));
            assertThrows(IllegalArgumentException.class, () -> port.generate(MemorySegment.ofArray(new byte[4096]), 4096));
        }
    }
}
