package io.isthmus.fastpath.frame;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frame chains in the pool: releasing a head releases its chain, links are cleared, nothing is lost. */
class FramePoolChainTest {
    @Test
    void releasingTheHeadReleasesEveryFrameOfItsChainOnce() {
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 8, 2048));
            final long a = pool.acquire() + 256;
            final long b = pool.acquire() + 256;
            final long c = pool.acquire() + 300; // a link that starts past the payload headers of its frame
            assertEquals(5, pool.available());
            pool.chain(new long[] {a, b, c}, new int[] {1792, 1792, 100}, 3);
            assertTrue(pool.isChained(a));

            final long[] address = new long[4];
            final int[] length = new int[4];
            assertEquals(3, pool.chainOf(a, address, length, 4));
            assertEquals(c, address[2]);
            assertEquals(100, length[2]);
            assertEquals(-1, pool.chainOf(a, address, length, 2), "longer than the room given");

            pool.release(a);
            assertEquals(8, pool.available(), "the head and both links are free again");
            assertFalse(pool.isChained(a));
            assertFalse(pool.isChained(b));
            final long reused = pool.acquire();
            pool.release(reused);
            assertEquals(8, pool.available(), "a frame that was a head is released alone once its links are cleared");
        }
    }
}
