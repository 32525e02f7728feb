package io.isthmus.slowpath.agent.host;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPortConfigTest {

    @Test
    void theFastPathEndIsNamedAfterTheHostEndAndFitsIfnamsiz() {
        assertEquals(new HostPortConfig("isthmus0", "isthmus0fp"), HostPortConfig.defaults());
        assertEquals("abcdefghijklmfp", HostPortConfig.named("abcdefghijklmno").fastpathIfName());
        assertEquals(15, HostPortConfig.named("abcdefghijklmno").fastpathIfName().length());
    }

    @Test
    void badNamesAreRefusedWithTheName() {
        for (String bad : new String[]{"", "a/b", "a b", "eth0:1", "sixteen-chars-xx"}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPortConfig.named(bad));
            assertTrue(e.getMessage().contains("'" + bad + "' is not an interface name"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new HostPortConfig("same", "same"))
                .getMessage().contains("both called 'same'"));
    }
}
