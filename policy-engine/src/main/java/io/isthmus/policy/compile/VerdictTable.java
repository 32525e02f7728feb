package io.isthmus.policy.compile;

import static io.isthmus.policy.compile.VerdictTableDescriptor.ANY_REMOTE;
import static io.isthmus.policy.compile.VerdictTableDescriptor.FLAGS;
import static io.isthmus.policy.compile.VerdictTableDescriptor.HEADER_INTS;
import static io.isthmus.policy.compile.VerdictTableDescriptor.MASK;
import static io.isthmus.policy.compile.VerdictTableDescriptor.SLOTS_OFFSET;
import static io.isthmus.policy.compile.VerdictTableDescriptor.SLOT_INTS;

import java.util.Arrays;

/**
 * The compiled policy of one local identity (every local pod with that identity shares it): for
 * each direction, whether the identity is isolated, and which ports each remote identity may use,
 * in the flat layout of {@link VerdictTableDescriptor}.
 *
 * <pre>
 *   verdict(d, remote, proto, port):
 *     not isolated in d           -&gt; allowed, no look-up
 *     look-up 1: slot of (remote, proto) in d's slots -&gt; port set, or the any-remote set if absent
 *     look-up 2: is 'port' in that port set ({@link PortSets})
 * </pre>
 * An exact entry already includes the any-remote ports (they are folded in at compile time), so
 * the wildcard is read only when the remote identity has no entry of its own.
 *
 * <p><b>Thread-safety:</b> immutable after construction; built by the compiler's thread, read by
 * fast-path workers through a safely published {@link PolicySnapshot}.
 */
public final class VerdictTable {
    /**
     * The key of a free slot. Keys are {@code remoteIdentity << 2 | protocolIndex} over all 32 bits
     * (identities go up to 2^30 - 1), so no bit pattern is spare; but identity 0 is never handed out
     * ({@link IdentityRegistry#FIRST_ID}), so no valid key is 0. (-1 was the free mark before, and
     * identity 2^30 - 1 with protocol index 3 encoded to it.)
     */
    static final int EMPTY_KEY = 0;

    private final int[] layout;

    private VerdictTable(int[] layout) {
        this.layout = layout;
    }

    /** Never {@link #EMPTY_KEY} for an identity from {@link IdentityRegistry#FIRST_ID} to 2^30 - 1. */
    static int key(int remoteIdentity, int protocolIndex) {
        return (remoteIdentity << 2) | protocolIndex;
    }

    static int slot(int key, int mask) {
        final int h = key * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    /** The flat array the fast path reads. */
    int[] layout() {
        return layout;
    }

    public boolean isolated(int direction) {
        return isolated(layout, direction);
    }

    static boolean isolated(int[] layout, int direction) {
        return (layout[FLAGS] & (1 << direction)) != 0;
    }

    /** The port set for (direction, remote, protocol): the exact entry, else the any-remote one. Fast path. */
    static int portSet(int[] layout, int direction, int remoteIdentity, int protocolIndex) {
        final int key = key(remoteIdentity, protocolIndex);
        final int mask = layout[MASK + 2 * direction];
        final int base = layout[SLOTS_OFFSET + 2 * direction];
        int slot = slot(key, mask);
        while (true) { // load <= 0.5: an empty slot is always reached
            final int found = layout[base + SLOT_INTS * slot];
            if (found == EMPTY_KEY) { // first: an (invalid) identity 0 must not match a free slot
                return layout[ANY_REMOTE + 4 * direction + protocolIndex];
            }
            if (found == key) {
                return layout[base + SLOT_INTS * slot + 1];
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Adds every port set id this table names (slots and any-remote sets) to {@code sets}. Slow path. */
    void addPortSetsTo(java.util.BitSet sets) {
        for (int d = 0; d < 2; d++) {
            for (int p = 0; p < 4; p++) {
                sets.set(anyRemote(d, p));
            }
            for (int slot = 0; slot < capacity(d); slot++) {
                if (keyAt(d, slot) != EMPTY_KEY) {
                    sets.set(setAt(d, slot));
                }
            }
        }
    }

    int anyRemote(int direction, int protocolIndex) {
        return layout[ANY_REMOTE + 4 * direction + protocolIndex];
    }

    /** Number of slots (free or not) of a direction. */
    int capacity(int direction) {
        return layout[MASK + 2 * direction] + 1;
    }

    /** The key in a slot, EMPTY_KEY when free. */
    int keyAt(int direction, int slot) {
        return layout[layout[SLOTS_OFFSET + 2 * direction] + SLOT_INTS * slot];
    }

    int setAt(int direction, int slot) {
        return layout[layout[SLOTS_OFFSET + 2 * direction] + SLOT_INTS * slot + 1];
    }

    /** Builds a table from exact entries (parallel arrays) per direction. */
    static VerdictTable of(boolean[] isolated, int[][] entryKeys, int[][] entrySets, int[] entryCounts, int[] anyRemote) {
        final int[] capacities = new int[2];
        for (int d = 0; d < 2; d++) {
            capacities[d] = Math.max(2, Integer.highestOneBit(Math.max(1, entryCounts[d]) * 2 - 1) << 1);
        }
        final int[] layout = new int[HEADER_INTS + SLOT_INTS * (capacities[0] + capacities[1])];
        layout[FLAGS] = (isolated[0] ? 1 : 0) | (isolated[1] ? 2 : 0);
        int offset = HEADER_INTS;
        for (int d = 0; d < 2; d++) {
            final int mask = capacities[d] - 1;
            layout[MASK + 2 * d] = mask;
            layout[SLOTS_OFFSET + 2 * d] = offset;
            for (int p = 0; p < 4; p++) {
                layout[ANY_REMOTE + 4 * d + p] = anyRemote[4 * d + p];
            }
            for (int slot = 0; slot < capacities[d]; slot++) {
                layout[offset + SLOT_INTS * slot] = EMPTY_KEY;
            }
            for (int i = 0; i < entryCounts[d]; i++) {
                if (entryKeys[d][i] == EMPTY_KEY) {
                    throw new IllegalArgumentException("verdict table entry " + i + " of direction " + d
                            + " has the free-slot key: remote identity 0 is never handed out");
                }
                int slot = slot(entryKeys[d][i], mask);
                while (layout[offset + SLOT_INTS * slot] != EMPTY_KEY) {
                    slot = (slot + 1) & mask;
                }
                layout[offset + SLOT_INTS * slot] = entryKeys[d][i];
                layout[offset + SLOT_INTS * slot + 1] = entrySets[d][i];
            }
            offset += SLOT_INTS * capacities[d];
        }
        return new VerdictTable(layout);
    }

    @Override
    public String toString() {
        return "VerdictTable" + Arrays.toString(Arrays.copyOf(layout, HEADER_INTS));
    }
}
