package io.isthmus.policy.compile;

import java.util.Arrays;

/**
 * The entries of one direction of a {@link VerdictTable} while it is being built: a primitive
 * open-addressing map from {@code remoteIdentity << 2 | protocol} to a port set id, where adding
 * to an existing key unions the port sets. No boxing: a full compile adds millions of entries.
 *
 * <p><b>Thread-safety:</b> used by the compiler's thread only.
 */
final class EntryAccumulator {
    private int[] keys = new int[64];
    private int[] sets = new int[64];
    private int size;

    EntryAccumulator() {
        Arrays.fill(keys, VerdictTable.EMPTY_KEY);
    }

    void clear() {
        Arrays.fill(keys, VerdictTable.EMPTY_KEY);
        size = 0;
    }

    void merge(int key, int set, PortSetPool pool) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        final int mask = keys.length - 1;
        int slot = VerdictTable.slot(key, mask);
        while (true) {
            final int found = keys[slot];
            if (found == key) {
                sets[slot] = pool.union(sets[slot], set);
                return;
            }
            if (found == VerdictTable.EMPTY_KEY) {
                keys[slot] = key;
                sets[slot] = set;
                size++;
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    /** Slot arrays (EMPTY_KEY where free), for reading out. */
    int[] keySlots() {
        return keys;
    }

    int[] setSlots() {
        return sets;
    }

    private void grow() {
        final int[] oldKeys = keys;
        final int[] oldSets = sets;
        keys = new int[oldKeys.length * 2];
        sets = new int[oldKeys.length * 2];
        Arrays.fill(keys, VerdictTable.EMPTY_KEY);
        final int mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != VerdictTable.EMPTY_KEY) {
                int slot = VerdictTable.slot(oldKeys[i], mask);
                while (keys[slot] != VerdictTable.EMPTY_KEY) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldKeys[i];
                sets[slot] = oldSets[i];
            }
        }
    }
}
