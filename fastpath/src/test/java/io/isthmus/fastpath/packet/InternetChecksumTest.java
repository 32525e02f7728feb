package io.isthmus.fastpath.packet;

import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InternetChecksumTest {

    @Test
    void rfc1071NumericExample() {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (checksum 220d).
        final MemorySegment data = Segments.at(Segments.hex("0001f203f4f5f6f7"));
        assertEquals(0xDDF2, InternetChecksum.fold(InternetChecksum.sum(data, Segments.BASE, 8)));
        assertEquals(0x220D, InternetChecksum.compute(data, Segments.BASE, 8));
    }

    @Test
    void knownGoodIpv4HeaderVerifiesAndRecomputes() {
        // A captured IPv4/UDP header 192.168.0.1 -> 192.168.0.199, checksum b861.
        final byte[] header = Segments.hex("450000730000400040110000c0a80001c0a800c7");
        final MemorySegment segment = Segments.at(header);
        assertEquals(0xB861, InternetChecksum.compute(segment, Segments.BASE, 20));
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(segment, Segments.BASE, 20);
        ip.checksum(0xB861);
        assertTrue(ip.isChecksumValid());
    }

    @Test
    void oddLengthPadsTheLastByteOnTheRight() {
        final MemorySegment data = Segments.at(new byte[]{0x01, 0x02, 0x03});
        assertEquals(0x0102 + 0x0300, InternetChecksum.fold(InternetChecksum.sum(data, Segments.BASE, 3)));
    }

    @Test
    void incrementalUpdatesEqualFullRecomputation() {
        final SplittableRandom random = new SplittableRandom(1624);
        for (int round = 0; round < 20_000; round++) {
            final byte[] bytes = new byte[20 + 2 * random.nextInt(30)];
            random.nextBytes(bytes);
            bytes[0] |= 1; // not all zero (the one case where one's complement has two zeros)
            final MemorySegment segment = Segments.at(bytes);
            int checksum = TestFrames.checksum(bytes, 0, bytes.length, 0);

            final long word = Segments.BASE + 2L * random.nextInt(bytes.length / 2);
            final int oldWord = NetworkOrder.u16(segment, word);
            final int newWord = random.nextInt(0x10000);
            NetworkOrder.putU16(segment, word, newWord);
            checksum = InternetChecksum.update16(checksum, oldWord, newWord);
            byte[] after = Segments.bytes(segment, bytes.length);
            assertEquals(TestFrames.checksum(after, 0, after.length, 0), checksum, "16-bit, round " + round);

            final long dword = Segments.BASE + 2L * random.nextInt(bytes.length / 2 - 1);
            final int oldValue = NetworkOrder.u32(segment, dword);
            final int newValue = random.nextInt();
            NetworkOrder.putU32(segment, dword, newValue);
            checksum = InternetChecksum.update32(checksum, oldValue, newValue);
            after = Segments.bytes(segment, bytes.length);
            assertEquals(TestFrames.checksum(after, 0, after.length, 0), checksum, "32-bit, round " + round);
        }
    }

    @Test
    void ipv4PseudoHeaderMatchesAnIndependentSum() {
        final int src = Ipv4Address.parse("10.244.1.2");
        final int dst = Ipv4Address.parse("10.244.1.3");
        assertEquals(InternetChecksum.fold(TestFrames.pseudoHeaderSum(src, dst, 17, 1234)),
                InternetChecksum.fold(InternetChecksum.pseudoHeaderSumIpv4(src, dst, 17, 1234)));
    }
}
