package io.isthmus.policy.compile;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** No valid (remote identity, protocol) may encode to the key that marks a free slot. */
class VerdictTableKeyTest {
    private static final int LAST_IDENTITY = PolicySnapshot.IDENTITY_MASK; // 2^30 - 1
    private static final int INGRESS = 0;

    @Test
    void noValidIdentityAndProtocolEncodesToTheEmptyKey() {
        for (int identity : new int[] {IdentityRegistry.FIRST_ID, 2, 1 << 29, LAST_IDENTITY - 1, LAST_IDENTITY}) {
            for (int protocol = 0; protocol < 4; protocol++) {
                assertNotEquals(VerdictTable.EMPTY_KEY, VerdictTable.key(identity, protocol),
                        "identity " + identity + " protocol " + protocol);
            }
        }
    }

    @Test
    void theLastIdentityWithTheLastProtocolKeepsItsEntryWhenAnotherCollidesWithIt() {
        final int lastKey = VerdictTable.key(LAST_IDENTITY, 3);
        final int otherKey = keyInSameHomeSlot(lastKey, 1);
        final int lastSet = 7;
        final int otherSet = 9;
        final VerdictTable table = VerdictTable.of(new boolean[] {true, false},
                new int[][] {{lastKey, otherKey}, {}}, new int[][] {{lastSet, otherSet}, {}},
                new int[] {2, 0}, anyRemote(PortSetPool.NONE));

        assertEquals(lastSet, VerdictTable.portSet(table.layout(), INGRESS, LAST_IDENTITY, 3), "the last identity's own entry");
        assertEquals(otherSet, VerdictTable.portSet(table.layout(), INGRESS, otherKey >>> 2, otherKey & 3));
        int occupied = 0;
        for (int slot = 0; slot < table.capacity(INGRESS); slot++) {
            occupied += table.keyAt(INGRESS, slot) != VerdictTable.EMPTY_KEY ? 1 : 0;
        }
        assertEquals(2, occupied, "both entries are seen as occupied slots (dumps and patches read them)");
    }

    /** Another valid key whose home slot (in a 4-slot table, as two entries get) is {@code key}'s. */
    private static int keyInSameHomeSlot(int key, int firstIdentity) {
        final int mask = 3;
        for (int identity = firstIdentity; ; identity++) {
            final int candidate = VerdictTable.key(identity, 0);
            if (VerdictTable.slot(candidate, mask) == VerdictTable.slot(key, mask)) {
                return candidate;
            }
        }
    }

    private static int[] anyRemote(int set) {
        final int[] sets = new int[8];
        java.util.Arrays.fill(sets, set);
        return sets;
    }
}
