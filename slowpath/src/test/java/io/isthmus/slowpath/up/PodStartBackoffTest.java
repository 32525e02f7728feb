package io.isthmus.slowpath.up;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodStartBackoffTest {
    @Test
    void kubeletsBackoffDoublesFromTenSecondsToFiveMinutes() {
        final PodStartBackoff backoff = PodStartBackoff.KUBELET;
        assertEquals(Duration.ofSeconds(10), backoff.delayAfter(1));
        assertEquals(Duration.ofSeconds(20), backoff.delayAfter(2));
        assertEquals(Duration.ofSeconds(160), backoff.delayAfter(5));
        assertEquals(Duration.ofMinutes(5), backoff.delayAfter(6), "capped");
        assertEquals(Duration.ofMinutes(5), backoff.delayAfter(Integer.MAX_VALUE), "capped, however many failures");
    }

    @Test
    void parsesMillisecondsAndRefusesNonsenseNamingTheVariable() {
        assertEquals(new PodStartBackoff(Duration.ofMillis(100), Duration.ofMillis(400)), PodStartBackoff.parse("100:400"));
        assertEquals(Duration.ofMillis(400), PodStartBackoff.parse(" 100 : 400 ").delayAfter(3));
        for (String bad : new String[] {"100", "a:b", "0:100", "500:100", "1:2:3"}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PodStartBackoff.parse(bad), bad);
            assertTrue(e.getMessage().contains(PodStartBackoff.ENV), e.getMessage());
        }
    }
}
