package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helper: two {@link ServiceDecision}s chose the same thing, field by field (the layout tests compare one table form with another). */
final class SameDecision {
    private SameDecision() {
    }

    /** {@code actual} has {@code expected}'s backend (address, port, id), SNAT, hairpin and service port id; {@code at} names the case. */
    static void assertSameDecision(ServiceDecision expected, ServiceDecision actual, String at) {
        assertEquals(expected.backendAddressHi(), actual.backendAddressHi(), at);
        assertEquals(expected.backendAddressLo(), actual.backendAddressLo(), at);
        assertEquals(expected.backendPort(), actual.backendPort(), at);
        assertEquals(expected.backendId(), actual.backendId(), at);
        assertEquals(expected.snat(), actual.snat(), at);
        assertEquals(expected.hairpin(), actual.hairpin(), at);
        assertEquals(expected.servicePortId(), actual.servicePortId(), at);
    }
}
