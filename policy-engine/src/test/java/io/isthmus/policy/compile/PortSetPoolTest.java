package io.isthmus.policy.compile;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortSetPoolTest {

    @Test
    void setsAreInternedMergedAndQueried() {
        final PortSetPool pool = new PortSetPool();
        final int web = pool.of(80, 80, 443, 443);
        assertEquals(web, pool.of(443, 443, 80, 80), "same set, same id");
        final int range = pool.of(8000, 8080);
        final int both = pool.union(web, range);
        assertEquals("80,443,8000-8080", pool.describe(both));
        assertEquals(pool.of(8000, 8040, 8041, 8080), range, "adjacent ranges merge");
        assertTrue(pool.contains(both, 8080));
        assertTrue(pool.contains(both, 443));
        assertFalse(pool.contains(both, 8081));
        assertFalse(pool.contains(both, 0));
        assertEquals(PortSetPool.ALL, pool.union(both, PortSetPool.ALL));
        assertEquals(both, pool.union(both, PortSetPool.NONE));
        assertEquals(PortSetPool.ALL, pool.of(0, 65535));
        assertTrue(pool.contains(PortSetPool.ALL, 65535));
        assertFalse(pool.contains(PortSetPool.NONE, 80));
        for (int i = 0; i < 40; i++) { // grows the bitmap array past its first size
            final int id = pool.of(1000 + i, 1000 + i);
            assertTrue(pool.contains(id, 1000 + i));
            assertFalse(pool.contains(id, 999 + i));
        }
        assertTrue(pool.contains(both, 8000), "old sets survive growth");
    }
}
