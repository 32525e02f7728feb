package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Test helpers: bytes into a heap segment at an offset (so flyweights are tested off offset 0). */
final class Segments {
    static final int BASE = 100;

    private Segments() {
    }

    static MemorySegment at(byte[] bytes) {
        final MemorySegment segment = MemorySegment.ofArray(new byte[BASE + bytes.length + 16]);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, BASE, bytes.length);
        return segment;
    }

    static byte[] bytes(MemorySegment segment, int length) {
        final byte[] out = new byte[length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, BASE, out, 0, length);
        return out;
    }

    static byte[] hex(String hex) {
        final String clean = hex.replaceAll("\\s+", "");
        final byte[] out = new byte[clean.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(clean.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
