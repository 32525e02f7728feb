package io.isthmus.dns.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Names handled eight bytes at a time: a wire-format name is read as little-endian 64-bit words
 * (the last one zero-padded), ASCII upper case folded to lower case in all eight bytes at once
 * (SWAR), then hashed or compared word by word. Label length bytes are at most 63, below
 * {@code 'A'}, so folding the whole wire name is safe. The zone keeps its keys in the same form,
 * so a lookup costs {@code ceil(length / 8)} reads instead of {@code length}.
 *
 * <p>Thread-safety: stateless.
 */
public final class NameWords {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_SEVEN_BITS = 0x7F7F7F7F7F7F7F7FL;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long TO_A = 0x3F3F3F3F3F3F3F3FL; // 'A' (0x41) + 0x3F = 0x80
    private static final long PAST_Z = 0x2525252525252525L; // 'Z' + 1 (0x5B) + 0x25 = 0x80
    private static final long HASH_MULTIPLIER = 0x9E3779B97F4A7C15L;

    private NameWords() {
    }

    /** Every byte of {@code word} in {@code 'A'..'Z'} turned to lower case, the others unchanged. */
    public static long fold(long word) {
        final long low = word & LOW_SEVEN_BITS;
        final long upper = (low + TO_A) & ~(low + PAST_Z) & ~word & HIGH_BITS;
        return word | (upper >>> 2);
    }

    /** How many words a name of {@code lengthBytes} takes. */
    public static int wordCount(int lengthBytes) {
        return (lengthBytes + 7) >>> 3;
    }

    /**
     * Word {@code index} of the name at {@code name} of {@code lengthBytes}, folded and zero-padded.
     * Never reads at or past {@code limit} (the end of the readable region).
     */
    public static long word(MemorySegment segment, long name, int lengthBytes, int index, long limit) {
        final long at = name + ((long) index << 3);
        final int remaining = lengthBytes - (index << 3);
        long word;
        if (at + 8 <= limit) {
            word = segment.get(WORD, at);
        } else {
            word = 0;
            for (int i = 0; i < Math.min(8, remaining); i++) {
                word |= (segment.get(ValueLayout.JAVA_BYTE, at + i) & 0xFFL) << (i << 3);
            }
        }
        if (remaining < 8) {
            word &= (1L << (remaining << 3)) - 1;
        }
        return fold(word);
    }

    /** One step of the name hash. */
    public static long hashStep(long hash, long foldedWord) {
        final long mixed = (hash ^ foldedWord) * HASH_MULTIPLIER;
        return mixed ^ (mixed >>> 29);
    }

    /** The hash of a name from its folded words, reduced to an int. */
    public static int finish(long hash) {
        return (int) (hash ^ (hash >>> 32));
    }

    /** The name's folded, zero-padded words, for keys built at zone build time. */
    public static long[] words(byte[] wire) {
        final long[] words = new long[wordCount(wire.length)];
        for (int i = 0; i < wire.length; i++) {
            words[i >>> 3] |= (wire[i] & 0xFFL) << ((i & 7) << 3);
        }
        for (int i = 0; i < words.length; i++) {
            words[i] = fold(words[i]);
        }
        return words;
    }

    /** The hash of a name held in an array: equal to the engine's hash of the same name in any case. */
    public static int hash(byte[] wire) {
        long hash = 0;
        for (long word : words(wire)) {
            hash = hashStep(hash, word);
        }
        return finish(hash);
    }
}
