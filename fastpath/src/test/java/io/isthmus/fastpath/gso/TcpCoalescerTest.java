package io.isthmus.fastpath.gso;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PacketBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receive-side coalescing: MTU segments as a pod's software GSO sends them (partial checksums,
 * consecutive sequence numbers, one per frame) become one super-packet chain whose headers and
 * bytes are checked independently, and which software GSO splits back into the same segments.
 */
class TcpCoalescerTest {
    private static final int MSS = 1500 - 20 - 32;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int HEADROOM = 256;

    private final Arena arena = Arena.ofConfined();
    private final FrameMemory memory = FrameMemory.allocate(arena, 128, 2048);
    private final FramePool pool = new FramePool(memory);
    private final PacketBatch batch = new PacketBatch(memory);
    private final TcpCoalescer coalescer = new TcpCoalescer(memory.segment(), pool);

    @AfterEach
    void close() {
        arena.close();
    }

    /** What the port's receive does with one single-frame packet. */
    private void receive(byte[] frame) {
        final long address = pool.acquire() + HEADROOM;
        MemorySegment.copy(frame, 0, memory.segment(), ValueLayout.JAVA_BYTE, address, frame.length);
        if (!coalescer.offer(batch, address, frame.length)) {
            coalescer.added(batch, batch.add(address, frame.length, 0), address, frame.length);
        }
    }

    private byte[] entry(int i) {
        return memory.segment().asSlice(batch.address[i], Math.min(batch.length[i], 2048 - HEADROOM)).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void consecutiveSegmentsBecomeOneSuperPacketThatSoftwareGsoSplitsBackIntoTheSameSegments() {
        final byte[] payload = SuperPackets.randomPayload(4 * MSS + 500, 11);
        for (int k = 0; k < 5; k++) {
            final int from = k * MSS;
            final byte[] chunk = Arrays.copyOfRange(payload, from, Math.min(payload.length, from + MSS));
            receive(SuperPackets.partialTcpFrame(7000L + from, k == 4 ? ACK | PSH : ACK, 100 + k, chunk));
        }
        coalescer.close(batch);
        assertEquals(1, batch.size(), "one super-packet");
        assertEquals(4, coalescer.takeMerged());
        final int l4Bytes = 32 + payload.length;
        assertEquals(14 + 20 + l4Bytes, batch.length[0]);
        final byte[] head = entry(0);
        assertEquals(20 + l4Bytes, SuperPackets.u16(head, 14 + 2), "IP total length of the whole");
        assertEquals(0, io.isthmus.fastpath.testing.TestFrames.checksum(head, 14, 20, 0), "IP header checksum");
        assertEquals(ACK | PSH, head[14 + 20 + 13] & 0xFF, "PSH of the last segment");
        assertEquals(~SuperPackets.foldedPseudo(SuperPackets.SRC_IP, SuperPackets.DST_IP, 6, l4Bytes) & 0xFFFF,
                SuperPackets.u16(head, 14 + 20 + 16), "partial checksum of the whole, complemented for the pipeline");

        final long[] chainAddress = new long[64];
        final int[] chainLength = new int[64];
        final int links = pool.chainOf(batch.address[0], chainAddress, chainLength, 64);
        assertEquals(5, links);
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int k = 0; k < links; k++) {
            final int skip = k == 0 ? 14 + 20 + 32 : 0;
            joined.writeBytes(memory.segment().asSlice(chainAddress[k] + skip, chainLength[k] - skip).toArray(ValueLayout.JAVA_BYTE));
        }
        assertArrayEquals(payload, joined.toByteArray(), "the chain holds the payload in order");

        final TcpSegmenter segmenter = new TcpSegmenter(memory.segment(), 1500);
        assertEquals(5, segmenter.plan(chainAddress[0], chainLength[0], batch.length[0]));
        final long[] out = new long[64];
        final int[] outLength = new int[64];
        assertEquals(5, segmenter.segmentInto(chainAddress, chainLength, links, pool, out, outLength));
        final ByteArrayOutputStream resegmented = new ByteArrayOutputStream();
        for (int k = 0; k < 5; k++) {
            final byte[] segment = memory.segment().asSlice(out[k], outLength[k]).toArray(ValueLayout.JAVA_BYTE);
            assertTrue(SuperPackets.checksumsVerify(segment), "segment " + k + " checksums");
            assertEquals(7000L + (long) k * MSS, SuperPackets.u32(segment, 14 + 20 + 4));
            resegmented.writeBytes(Arrays.copyOfRange(segment, 14 + 20 + 32, segment.length));
        }
        assertArrayEquals(payload, resegmented.toByteArray());

        final int before = pool.available();
        pool.release(batch.address[0]);
        assertEquals(before + 5, pool.available(), "releasing the head frees the whole chain");
    }

    @Test
    void aGapInTheSequenceOrAPacketWithoutPayloadEndsTheSuperPacketAndLoneSegmentsGetCompleteChecksums() {
        final byte[] a = SuperPackets.randomPayload(MSS, 1);
        receive(SuperPackets.partialTcpFrame(1000, ACK, 1, a));
        receive(SuperPackets.partialTcpFrame(1000 + MSS, ACK, 2, SuperPackets.randomPayload(MSS, 2)));
        receive(SuperPackets.partialTcpFrame(1000 + 3L * MSS, ACK, 3, SuperPackets.randomPayload(MSS, 3))); // a segment lost before it
        receive(SuperPackets.partialTcpFrame(5000, ACK, 4, new byte[0])); // a pure ACK
        coalescer.close(batch);
        assertEquals(3, batch.size());
        assertEquals(14 + 20 + 32 + 2 * MSS, batch.length[0]);
        assertTrue(SuperPackets.checksumsVerify(entry(1)), "the lone segment after the gap: completed like any frame");
        assertTrue(SuperPackets.checksumsVerify(entry(2)), "the pure ACK: completed");
        assertEquals(1, coalescer.takeMerged());
    }
}
