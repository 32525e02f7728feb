package io.isthmus.fastpath.gso;

import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OnesComplementSumTest {
    @Test
    void equalsTheByteWiseSumForEveryLengthAndAlignment() {
        final Random random = new Random(11);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment segment = arena.allocate(4096);
            final byte[] bytes = new byte[4096];
            for (int round = 0; round < 3000; round++) {
                random.nextBytes(bytes);
                if (round % 3 == 0) {
                    java.util.Arrays.fill(bytes, (byte) 0xFF); // worst case for carries
                }
                MemorySegment.copy(bytes, 0, segment, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
                final int offset = random.nextInt(64);
                final int length = round < 64 ? round : random.nextInt(4096 - offset);
                final int expected = ~TestFrames.checksum(bytes, offset, length, 0) & 0xFFFF;
                final int actual = InternetChecksum.fold(OnesComplementSum.sum(segment, offset, length));
                assertEquals(expected == 0 ? 0xFFFF : expected, actual == 0 ? 0xFFFF : actual,
                        "offset " + offset + " length " + length);
            }
        }
    }
}
