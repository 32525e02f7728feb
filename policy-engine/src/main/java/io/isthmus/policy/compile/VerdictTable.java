package io.isthmus.policy.compile;

import io.isthmus.policy.model.Protocol;

import java.util.Arrays;

/**
 * The compiled policy of one local identity (every local pod with that identity shares it): for
 * each direction, whether the identity is isolated, and which ports each remote identity may use.
 *
 * <pre>
 *   per direction d (0 ingress, 1 egress):
 *     isolated[d]               false: everything allowed in d, no look-up
 *     keys[d][slot]   int       remoteIdentity &lt;&lt; 2 | protocolIndex, EMPTY_KEY (-1) when free
 *     sets[d][slot]   int       port set id (PortSetPool) allowed for that key
 *     anyRemote[d * 4 + proto]  port set id allowed for every remote end (rules without peers)
 *   open addressing, linear probing, power-of-two capacity, load &lt;= 0.5
 *
 *   verdict(d, remote, proto, port):
 *     look-up 1: slot of (remote, proto) in keys[d]  -&gt; set, or anyRemote[d*4+proto] if absent
 *     look-up 2: bit 'port' of that port set
 * </pre>
 * An exact entry already includes the any-remote ports (they are folded in at compile time), so
 * the wildcard is read only when the remote identity has no entry of its own.
 *
 * <p><b>Thread-safety:</b> immutable after construction; built by the compiler's thread, read by
 * fast-path workers through a safely published {@link PolicySnapshot}.
 */
public final class VerdictTable {
    static final int EMPTY_KEY = -1;

    private final boolean[] isolated;
    private final int[][] keys;
    private final int[][] sets;
    private final int[] masks;
    private final int[] anyRemote;

    VerdictTable(boolean[] isolated, int[][] keys, int[][] sets, int[] anyRemote) {
        this.isolated = isolated;
        this.keys = keys;
        this.sets = sets;
        this.masks = new int[] {keys[0].length - 1, keys[1].length - 1};
        this.anyRemote = anyRemote;
    }

    static int key(int remoteIdentity, int protocolIndex) {
        return (remoteIdentity << 2) | protocolIndex;
    }

    static int slot(int key, int mask) {
        final int h = key * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    public boolean isolated(int direction) {
        return isolated[direction];
    }

    /** The port set for (direction, remote, protocol): the exact entry, else the any-remote one. */
    int portSet(int direction, int remoteIdentity, int protocolIndex) {
        final int key = key(remoteIdentity, protocolIndex);
        final int[] k = keys[direction];
        final int mask = masks[direction];
        int slot = slot(key, mask);
        while (true) { // load <= 0.5: an empty slot is always reached
            final int found = k[slot];
            if (found == key) {
                return sets[direction][slot];
            }
            if (found == EMPTY_KEY) {
                return anyRemote[(direction << 2) | protocolIndex];
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Number of exact entries in a direction. */
    int size(int direction) {
        int n = 0;
        for (int k : keys[direction]) {
            n += k == EMPTY_KEY ? 0 : 1;
        }
        return n;
    }

    int[] keysOf(int direction) {
        return keys[direction];
    }

    int[] setsOf(int direction) {
        return sets[direction];
    }

    int anyRemote(int direction, int protocolIndex) {
        return anyRemote[(direction << 2) | protocolIndex];
    }

    /** Builds a table from exact entries (parallel arrays) per direction. */
    static VerdictTable of(boolean[] isolated, int[][] entryKeys, int[][] entrySets, int[] entryCounts, int[] anyRemote) {
        final int[][] keys = new int[2][];
        final int[][] sets = new int[2][];
        for (int d = 0; d < 2; d++) {
            final int capacity = Math.max(2, Integer.highestOneBit(Math.max(1, entryCounts[d]) * 2 - 1) << 1);
            keys[d] = new int[capacity];
            sets[d] = new int[capacity];
            Arrays.fill(keys[d], EMPTY_KEY);
            final int mask = capacity - 1;
            for (int i = 0; i < entryCounts[d]; i++) {
                int slot = slot(entryKeys[d][i], mask);
                while (keys[d][slot] != EMPTY_KEY) {
                    slot = (slot + 1) & mask;
                }
                keys[d][slot] = entryKeys[d][i];
                sets[d][slot] = entrySets[d][i];
            }
        }
        return new VerdictTable(isolated, keys, sets, anyRemote.clone());
    }

    static final int PROTOCOLS = Protocol.COUNT;
}
