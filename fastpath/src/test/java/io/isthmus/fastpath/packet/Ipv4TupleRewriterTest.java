package io.isthmus.fastpath.packet;

import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** NAT rewrites patched incrementally (RFC 1624) equal the same packets built with checksums from scratch. */
class Ipv4TupleRewriterTest {

    @Test
    void randomTcpUdpAndIcmpRewritesMatchFromScratchChecksums() {
        final Random random = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment segment = arena.allocate(2048);
            for (int round = 0; round < 2000; round++) {
                final int src = random.nextInt();
                final int dst = random.nextInt();
                final int sport = random.nextInt(65536);
                final int dport = random.nextInt(65536);
                final int newSrc = random.nextBoolean() ? src : random.nextInt();
                final int newDst = random.nextBoolean() ? dst : random.nextInt();
                final int newSport = random.nextBoolean() ? sport : random.nextInt(65536);
                final int newDport = random.nextBoolean() ? dport : random.nextInt(65536);
                final byte[] data = new byte[random.nextInt(40)];
                random.nextBytes(data);
                final int kind = round % 3;
                final int protocol = kind == 0 ? 6 : kind == 1 ? 17 : 1;
                final byte[] before = frame(protocol, src, sport, dst, dport, data);
                final byte[] after = frame(protocol, newSrc, newSport, newDst, protocol == 1 ? newSport : newDport, data);
                MemorySegment.copy(before, 0, segment, ValueLayout.JAVA_BYTE, 0, before.length);
                Ipv4TupleRewriter.rewrite(segment, 14, 34, protocol, newSrc, newSport, newDst, protocol == 1 ? newSport : newDport);
                assertEquals(TestFrames.hex(after), TestFrames.hex(segment.asSlice(0, after.length).toArray(ValueLayout.JAVA_BYTE)),
                        "round " + round + " protocol " + protocol);
            }
        }
    }

    private static byte[] frame(int protocol, int src, int sport, int dst, int dport, byte[] data) {
        final byte[] l4 = switch (protocol) {
            case 6 -> TestFrames.tcp(src, dst, sport, dport, 1, 2, 0x18, 1000, data);
            case 17 -> TestFrames.udp(src, dst, sport, dport, data);
            default -> TestFrames.icmpEcho(8, sport, 1, data);
        };
        return TestFrames.ipv4Frame(1, 2, src, dst, 64, protocol, l4);
    }
}
