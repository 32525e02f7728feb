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

class TcpSegmenterTest {
    private static final int MTU = 1500;
    private static final int MSS = MTU - 20 - 32; // IPv4 header, TCP header with the timestamp option
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    private static final int CWR = 0x80;
    /** What the kernel puts in one 2 KiB frame in copy mode: the frame less its 256-byte headroom. */
    private static final int LINK_BYTES = 1792;

    private final Arena arena = Arena.ofConfined();
    private final FrameMemory memory = FrameMemory.allocate(arena, 256, 2048);
    private final FramePool pool = new FramePool(memory);
    private final PacketBatch batch = new PacketBatch(memory);
    private final TcpSegmenter segmenter = new TcpSegmenter(memory.segment(), MTU);
    private final long[] chainAddress = new long[64];
    private final int[] chainLength = new int[64];

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void splitsASuperPacketAcrossAChainIntoMssSegments() {
        final byte[] payload = SuperPackets.randomPayload(20 * MSS + 777, 3);
        final long seq0 = 0xFFFF_F000L; // the sequence numbers wrap inside the packet
        final byte[] packet = SuperPackets.partialTcpFrame(seq0, CWR | ACK | PSH | FIN, 0xFFFE, payload);
        final int links = layOut(packet);
        assertTrue(links > 1);

        final int planned = segmenter.plan(chainAddress[0], chainLength[0], packet.length);
        assertEquals(21, planned);
        final int poolBefore = pool.available();
        assertEquals(21, segmenter.segment(chainAddress, chainLength, links, pool, batch, 3));
        assertEquals(poolBefore - 21, pool.available(), "one pool frame per segment");
        assertEquals(21, batch.size());

        final ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
        for (int k = 0; k < 21; k++) {
            final byte[] s = segmentBytes(k);
            final int chunk = k < 20 ? MSS : 777;
            assertEquals(14 + 20 + 32 + chunk, s.length, "segment " + k + " frame length");
            assertEquals(20 + 32 + chunk, SuperPackets.u16(s, 14 + 2), "IPv4 total length");
            assertEquals((0xFFFE + k) & 0xFFFF, SuperPackets.u16(s, 14 + 4), "IPv4 id increments and wraps");
            assertEquals((seq0 + (long) k * MSS) & 0xFFFF_FFFFL, SuperPackets.u32(s, 14 + 20 + 4), "sequence of segment " + k);
            final int flags = s[14 + 20 + 13] & 0xFF;
            assertEquals(ACK | (k == 0 ? CWR : 0) | (k == 20 ? PSH | FIN : 0), flags, "flags of segment " + k);
            assertTrue(SuperPackets.checksumsVerify(s), "IPv4 and TCP checksums of segment " + k);
            assertArrayEquals(Arrays.copyOfRange(packet, 0, 14 + 2), Arrays.copyOfRange(s, 0, 14 + 2), "MACs, type, version, TOS");
            assertArrayEquals(Arrays.copyOfRange(packet, 14 + 20 + 8, 14 + 20 + 13), Arrays.copyOfRange(s, 14 + 20 + 8, 14 + 20 + 13),
                    "ack and data offset");
            assertArrayEquals(Arrays.copyOfRange(packet, 14 + 20 + 20, 14 + 20 + 32), Arrays.copyOfRange(s, 14 + 20 + 20, 14 + 20 + 32),
                    "TCP options copied");
            assertEquals(3, batch.ingressPort[k]);
            rebuilt.write(s, 14 + 20 + 32, chunk);
        }
        assertArrayEquals(payload, rebuilt.toByteArray(), "the segments' payloads are the packet's, in order");
    }

    @Test
    void aPayloadOfWholeSegmentsAndAPacketInOneFrameLargerThanTheMtu() {
        final byte[] exact = SuperPackets.partialTcpFrame(7, ACK | PSH, 1, SuperPackets.randomPayload(3 * MSS, 4));
        final int links = layOut(exact);
        assertEquals(3, segmenter.plan(chainAddress[0], chainLength[0], exact.length));
        segmenter.segment(chainAddress, chainLength, links, pool, batch, 0);
        for (int k = 0; k < 3; k++) {
            final byte[] s = segmentBytes(k);
            assertEquals(14 + 20 + 32 + MSS, s.length);
            assertTrue(SuperPackets.checksumsVerify(s));
            assertEquals(ACK | (k == 2 ? PSH : 0), s[14 + 20 + 13] & 0xFF);
        }

        batch.clear();
        final byte[] oneFrame = SuperPackets.partialTcpFrame(9, ACK, 1, SuperPackets.randomPayload(MSS + 100, 5));
        assertEquals(1, layOut(oneFrame), "1,614 bytes fit one frame");
        assertEquals(2, segmenter.plan(chainAddress[0], chainLength[0], oneFrame.length));
        segmenter.segment(chainAddress, chainLength, 1, pool, batch, 0);
        assertEquals(100, segmentBytes(1).length - 14 - 20 - 32);
        assertTrue(SuperPackets.checksumsVerify(segmentBytes(0)) && SuperPackets.checksumsVerify(segmentBytes(1)));
    }

    @Test
    void refusesWhatItCannotSegment() {
        final byte[] udp = SuperPackets.partialUdpFrame(SuperPackets.randomPayload(3000, 6));
        assertEquals(TcpSegmenter.NOT_SEGMENTABLE, segmenter.plan(firstOf(udp), LINK_BYTES, udp.length), "UDP");

        final byte[] tcp = SuperPackets.partialTcpFrame(1, ACK, 1, SuperPackets.randomPayload(3000, 7));
        assertEquals(TcpSegmenter.NOT_SEGMENTABLE, segmenter.plan(firstOf(tcp), LINK_BYTES, tcp.length - 1),
                "IPv4 total length longer than the frames");
        final byte[] fragment = tcp.clone();
        fragment[14 + 6] |= 0x20;
        assertEquals(TcpSegmenter.NOT_SEGMENTABLE, segmenter.plan(firstOf(fragment), LINK_BYTES, fragment.length), "fragment");
        final byte[] ipv6 = tcp.clone();
        ipv6[12] = (byte) 0x86;
        ipv6[13] = (byte) 0xDD;
        assertEquals(TcpSegmenter.NOT_SEGMENTABLE, segmenter.plan(firstOf(ipv6), LINK_BYTES, ipv6.length), "IPv6");
        assertEquals(TcpSegmenter.NOT_SEGMENTABLE, segmenter.plan(firstOf(tcp), 40, tcp.length), "headers beyond the first frame");
        assertEquals(TcpSegmenter.NOT_SEGMENTABLE, new TcpSegmenter(memory.segment(), 52).plan(firstOf(tcp), LINK_BYTES, tcp.length),
                "an MTU that leaves no payload");
    }

    /** Writes {@code packet} across pool frames as the kernel would (1,792 bytes per frame after 256 of headroom); returns the links. */
    private int layOut(byte[] packet) {
        int links = 0;
        for (int at = 0; at < packet.length; at += LINK_BYTES) {
            final long frame = pool.acquire() + 256;
            final int n = Math.min(LINK_BYTES, packet.length - at);
            MemorySegment.copy(packet, at, memory.segment(), ValueLayout.JAVA_BYTE, frame, n);
            chainAddress[links] = frame;
            chainLength[links] = n;
            links++;
        }
        return links;
    }

    private long firstOf(byte[] packet) {
        layOut(packet);
        return chainAddress[0];
    }

    private byte[] segmentBytes(int k) {
        return memory.segment().asSlice(batch.address[k], batch.length[k]).toArray(ValueLayout.JAVA_BYTE);
    }
}
