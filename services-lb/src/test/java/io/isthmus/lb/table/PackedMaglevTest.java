package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PackedMaglevTest {

    @Test
    void theWidthIsTheNarrowestThatHoldsTheLargestEntry() {
        assertEquals(1, PackedMaglev.widthLog2For(0));
        assertEquals(1, PackedMaglev.widthLog2For(3));
        assertEquals(2, PackedMaglev.widthLog2For(4));
        assertEquals(2, PackedMaglev.widthLog2For(15));
        assertEquals(3, PackedMaglev.widthLog2For(16));
        assertEquals(3, PackedMaglev.widthLog2For(255));
        assertEquals(4, PackedMaglev.widthLog2For(256));
        assertEquals(4, PackedMaglev.widthLog2For(65_534));
        assertEquals(77, PackedMaglev.bytesFor(307, 1), "3 backends, M = 307: 77 bytes");
        assertEquals(614, PackedMaglev.bytesFor(307, 4));
    }

    @Test
    void everyEntryReadsBackAsWrittenAtEveryWidthFromArrayAndRegion() {
        SplittableRandom random = new SplittableRandom(7);
        for (int widthLog2 = 1; widthLog2 <= 4; widthLog2++) {
            int limit = 1 << (1 << widthLog2);
            for (int m : new int[] {1, 2, 3, 251, 307, 1_009}) {
                int offset = 5; // a block need not start on a byte boundary of anything but a byte
                int[] entries = random.ints(m, 0, limit).toArray();
                byte[] packed = new byte[offset + PackedMaglev.bytesFor(m, widthLog2) + ServiceTableDescriptor.REGION_PAD_BYTES];
                for (int i = 0; i < m; i++) {
                    PackedMaglev.put(packed, offset, i, widthLog2, entries[i]);
                }
                MemorySegment region = Arena.ofAuto().allocate(packed.length);
                MemorySegment.copy(MemorySegment.ofArray(packed), 0, region, 0, packed.length);
                for (int i = 0; i < m; i++) {
                    assertEquals(entries[i], PackedMaglev.get(packed, offset, i, widthLog2), "array, width 2^" + widthLog2 + " M " + m + " entry " + i);
                    assertEquals(entries[i], PackedMaglev.get(region, offset, i, widthLog2), "region, width 2^" + widthLog2 + " M " + m + " entry " + i);
                }
            }
        }
    }
}
