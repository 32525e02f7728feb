package io.isthmus.fastpath.pktgen;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.port.InMemoryPort;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketGeneratorTest {
    private static final long SRC_MAC = MacAddress.parse("02:00:00:00:00:0a");
    private static final long DST_MAC = MacAddress.parse("ee:ee:ee:ee:ee:ee");

    private static PktgenConfig config(int size, PktgenConfig.Protocol protocol, int flows, long rate) {
        return new PktgenConfig(SRC_MAC, DST_MAC, Ipv4Address.parse("10.244.1.2"), Ipv4Address.parse("10.244.1.3"),
                size, protocol, flows, 1024, 9, rate);
    }

    /** The one's-complement sum of a header with its checksum folds to 0xffff when the checksum is right. */
    private static int onesComplementSum(byte[] bytes, int from, int to, long pseudo) {
        long sum = pseudo;
        for (int i = from; i < to; i += 2) {
            sum += ((bytes[i] & 0xff) << 8) | (i + 1 < to ? bytes[i + 1] & 0xff : 0);
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) sum;
    }

    private static long pseudo(byte[] f, int protocol, int l4Length) {
        long sum = 0;
        for (int i = 26; i < 34; i += 2) {
            sum += ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff);
        }
        return sum + protocol + l4Length;
    }

    @Test
    void sends64ByteUdpFramesOverFlowsWithValidChecksums() {
        try (Arena arena = Arena.ofConfined()) {
            FramePool pool = new FramePool(FrameMemory.allocate(arena, 512, 2048));
            InMemoryPort port = new InMemoryPort(0, "gen", pool, 256, 256);
            PacketGenerator generator = new PacketGenerator(port, pool, new FlowTemplates(arena, config(64, PktgenConfig.Protocol.UDP, 4, 0)), 0);
            generator.start(0);
            generator.doWork(1);

            assertEquals(64, generator.sent(), "a batch per cycle without a rate limit");
            Set<Integer> sourcePorts = new HashSet<>();
            for (byte[] frame; (frame = port.pollTransmitted()) != null; ) {
                assertEquals(60, frame.length, "64 bytes with the FCS, 60 without");
                ByteBuffer b = ByteBuffer.wrap(frame);
                assertEquals(0x0800, b.getShort(12) & 0xffff);
                assertEquals(17, frame[23]);
                assertEquals(0xffff, onesComplementSum(frame, 14, 34, 0), "IPv4 header checksum");
                int udpLength = b.getShort(38) & 0xffff;
                assertEquals(60 - 34, udpLength);
                assertEquals(0xffff, onesComplementSum(frame, 34, 34 + udpLength, pseudo(frame, 17, udpLength)), "UDP checksum");
                assertEquals(9, b.getShort(36) & 0xffff);
                sourcePorts.add(b.getShort(34) & 0xffff);
            }
            assertEquals(Set.of(1024, 1025, 1026, 1027), sourcePorts);
        }
    }

    @Test
    void tcpSynFramesCarryOnlyTheSynFlagAndAValidChecksum() {
        try (Arena arena = Arena.ofConfined()) {
            FlowTemplates templates = new FlowTemplates(arena, config(64, PktgenConfig.Protocol.TCP_SYN, 1, 0));
            byte[] frame = templates.template(0).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertEquals(6, frame[23]);
            assertEquals(40, ByteBuffer.wrap(frame).getShort(16) & 0xffff, "IP total length: 20 + 20, the rest is padding");
            assertEquals(0x02, frame[34 + 13]);
            assertEquals(0xffff, onesComplementSum(frame, 34, 54, pseudo(frame, 6, 20)), "TCP checksum");
        }
    }

    @Test
    void largestFrameIs1514BytesWithoutFcs() {
        try (Arena arena = Arena.ofConfined()) {
            FlowTemplates templates = new FlowTemplates(arena, config(1518, PktgenConfig.Protocol.UDP, 1, 0));
            byte[] frame = templates.template(0).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertEquals(1514, frame.length);
            assertEquals(1500, ByteBuffer.wrap(frame).getShort(16) & 0xffff);
        }
    }

    @Test
    void aRateLimitCapsTheTotalOverElapsedTime() {
        try (Arena arena = Arena.ofConfined()) {
            FramePool pool = new FramePool(FrameMemory.allocate(arena, 512, 2048));
            InMemoryPort port = new InMemoryPort(0, "gen", pool, 256, 256);
            port.discardTransmitted(true);
            PacketGenerator generator = new PacketGenerator(port, pool, new FlowTemplates(arena, config(64, PktgenConfig.Protocol.UDP, 1, 1000)), 1000);
            generator.start(0);
            for (long t = 0; t <= 2_000_000_000L; t += 1_000_000L) { // 2 s of 1 ms cycles
                generator.doWork(t);
            }
            assertEquals(2000, generator.sent(), "1000 pps for 2 s");
        }
    }

    @Test
    void afterAStallTheGeneratorSendsOneBurstAndSkipsTheRestOfTheBacklog() {
        try (Arena arena = Arena.ofConfined()) {
            FramePool pool = new FramePool(FrameMemory.allocate(arena, 512, 2048));
            InMemoryPort port = new InMemoryPort(0, "gen", pool, 256, 256);
            port.discardTransmitted(true);
            long ratePps = 10_000;
            PacketGenerator generator = new PacketGenerator(port, pool, new FlowTemplates(arena, config(64, PktgenConfig.Protocol.UDP, 1, ratePps)), ratePps);
            generator.start(0);
            long stallEndNs = 1_000_000_000L; // not scheduled for 1 s: 10,000 frames owed
            for (int cycle = 0; cycle < 50; cycle++) {
                generator.doWork(stallEndNs);
            }
            assertEquals(PacketGenerator.maxBurstFrames(ratePps), generator.sent(), "one burst, not the 10,000 frames of the stall");
            for (long t = stallEndNs; t <= 2_000_000_000L; t += 1_000_000L) { // then 1 s of 1 ms cycles
                generator.doWork(t);
            }
            assertEquals(64 + 10_000, generator.sent(), "the rate again from the stall's end");
        }
    }

    @Test
    void theSinkCountsOnlyTheChosenPortAndGivesFramesBack() {
        try (Arena arena = Arena.ofConfined()) {
            FramePool pool = new FramePool(FrameMemory.allocate(arena, 256, 2048));
            InMemoryPort port = new InMemoryPort(0, "sink", pool);
            FlowTemplates nine = new FlowTemplates(arena, config(64, PktgenConfig.Protocol.UDP, 1, 0));
            FlowTemplates other = new FlowTemplates(arena, new PktgenConfig(SRC_MAC, DST_MAC, 1, 2, 64, PktgenConfig.Protocol.UDP, 1, 1024, 53, 0));
            for (int i = 0; i < 10; i++) {
                port.inject(nine.template(0).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            port.inject(other.template(0).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            port.inject(new byte[]{1, 2, 3});
            PacketSink sink = new PacketSink(port, pool, 9);
            sink.doWork(100);
            assertEquals(10, sink.packets());
            assertEquals(600, sink.bytes());
            assertEquals(pool.capacity(), pool.available(), "every frame is back in the pool");
        }
    }

    @Test
    void badConfigurationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> config(63, PktgenConfig.Protocol.UDP, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> config(1519, PktgenConfig.Protocol.UDP, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> config(64, PktgenConfig.Protocol.UDP, 70_000, 0));
        assertThrows(IllegalArgumentException.class, () -> config(64, PktgenConfig.Protocol.UDP, 1, -1));
    }
}
