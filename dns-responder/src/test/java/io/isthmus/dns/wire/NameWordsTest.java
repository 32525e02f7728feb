package io.isthmus.dns.wire;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The eight-bytes-at-a-time folding and reading agree with the byte-at-a-time definitions. */
class NameWordsTest {

    @Test
    void foldMatchesFoldByteForEveryByteValueInEveryPosition() {
        for (int position = 0; position < 8; position++) {
            for (int b = 0; b < 256; b++) {
                final long word = (0x4142_5A5B_6061_7A7BL & ~(0xFFL << (position * 8))) | ((long) b << (position * 8));
                long expected = 0;
                for (int i = 0; i < 8; i++) {
                    expected |= (long) DomainNames.foldByte((int) (word >>> (i * 8)) & 0xFF) << (i * 8);
                }
                assertEquals(expected, NameWords.fold(word), "byte " + b + " at " + position);
            }
        }
    }

    @Test
    void wordsReadFromASegmentEqualTheKeyWordsWhateverTheCaseAndTheLimit() {
        final SplittableRandom random = new SplittableRandom(3);
        for (int round = 0; round < 2_000; round++) {
            final StringBuilder name = new StringBuilder();
            for (int labels = random.nextInt(1, 6); labels > 0; labels--) {
                for (int i = random.nextInt(1, 20); i > 0; i--) {
                    name.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : 'A' + random.nextInt(26)));
                }
                name.append('.');
            }
            final byte[] wire = DomainNames.toWire(name.toString());
            final long[] expected = NameWords.words(DomainNames.toWire(name.toString().toLowerCase()));
            final byte[] message = new byte[wire.length + 3];
            System.arraycopy(wire, 0, message, 0, wire.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], NameWords.word(MemorySegment.ofArray(message), 0, wire.length, i, message.length));
            }
            assertEquals(NameWords.hash(wire), NameWords.hash(DomainNames.toWire(name.toString().toUpperCase())));
        }
    }
}
