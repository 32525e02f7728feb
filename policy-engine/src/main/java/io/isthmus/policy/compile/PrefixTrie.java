package io.isthmus.policy.compile;

import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.IpAddress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Longest-prefix match for one address family: a multibit trie with 8-bit strides and leaf
 * pushing (controlled prefix expansion), so a look-up is at most 4 array reads for IPv4 and 16
 * for IPv6, and in practice 1-4 (pod addresses are /32 or /128 under a few common prefixes).
 *
 * <pre>
 *   nodes: | node 0 (root): 256 ints | node 1: 256 ints | ...
 *   entry = nodes[node * 256 + byte of the address at this depth]
 *     entry &gt;= 0 : the value of the longest prefix covering this address (done)
 *     entry &lt;  0 : ~entry is the child node for the next byte
 * </pre>
 *
 * <p><b>Thread-safety:</b> immutable once built; built by the compiler's thread, read by any
 * number of fast-path workers after safe publication of the snapshot that holds it.
 */
public final class PrefixTrie {
    private static final int STRIDE_ENTRIES = 256;

    private final int[] nodes;
    private final boolean ipv6;

    private PrefixTrie(int[] nodes, boolean ipv6) {
        this.nodes = nodes;
        this.ipv6 = ipv6;
    }

    /** One prefix and the value an address under it maps to (values must be &gt;= 0). */
    public record Entry(Cidr prefix, int value) {
    }

    /**
     * Builds a trie for one family. {@code defaultValue} is returned for addresses that no prefix
     * covers. When two entries have the same prefix the later one wins.
     */
    public static PrefixTrie build(boolean ipv6, int defaultValue, List<Entry> entries) {
        final List<Entry> sorted = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            if (entry.prefix().ipv6() == ipv6) {
                sorted.add(entry);
            }
        }
        sorted.sort(Comparator.comparingInt(e -> e.prefix().prefixLength())); // stable: later wins
        final Builder builder = new Builder(defaultValue);
        for (Entry entry : sorted) {
            builder.insert(entry.prefix(), entry.value());
        }
        return new PrefixTrie(Arrays.copyOf(builder.nodes, builder.nodeCount * STRIDE_ENTRIES), ipv6);
    }

    /** The value for an IPv4 address (network order int). Fast path: no allocation. */
    public int lookupIpv4(int address) {
        int entry = nodes[address >>> 24];
        if (entry >= 0) {
            return entry;
        }
        entry = nodes[(~entry << 8) | ((address >>> 16) & 0xFF)];
        if (entry >= 0) {
            return entry;
        }
        entry = nodes[(~entry << 8) | ((address >>> 8) & 0xFF)];
        if (entry >= 0) {
            return entry;
        }
        return nodes[(~entry << 8) | (address & 0xFF)];
    }

    /** The value for an IPv6 address given as two halves. Fast path: no allocation. */
    public int lookupIpv6(long high, long low) {
        int node = 0;
        for (int depth = 0; depth < 16; depth++) {
            final int octet = (int) ((depth < 8 ? high >>> (56 - 8 * depth) : low >>> (120 - 8 * depth)) & 0xFF);
            final int entry = nodes[(node << 8) | octet];
            if (entry >= 0) {
                return entry;
            }
            node = ~entry;
        }
        return nodes[node << 8]; // not reached: every /128 path ends in a value by depth 15 (and the fast path never throws)
    }

    /** Look-up of a parsed address of either family (slow path convenience). */
    public int lookup(IpAddress address) {
        if (address.ipv6() != ipv6) {
            throw new IllegalArgumentException("address family mismatch: " + address);
        }
        return ipv6 ? lookupIpv6(address.high(), address.low()) : lookupIpv4(address.ipv4Bits());
    }

    /**
     * A copy of this trie in which the host routes (/32 or /128) of {@code values}' addresses of
     * this family map to new values; the shape is unchanged, so this costs one array copy. The
     * addresses must have been inserted as host routes; returns null when one cannot be found
     * that way (the caller then rebuilds).
     */
    public PrefixTrie withHostValues(java.util.Map<IpAddress, Integer> values) {
        int[] copy = null;
        for (java.util.Map.Entry<IpAddress, Integer> update : values.entrySet()) {
            final IpAddress address = update.getKey();
            if (address.ipv6() != ipv6) {
                continue;
            }
            if (copy == null) {
                copy = nodes.clone();
            }
            final int lastDepth = address.widthBits() / 8 - 1;
            int node = 0;
            for (int depth = 0; depth < lastDepth; depth++) {
                final int entry = copy[(node << 8) | address.byteAt(depth)];
                if (entry >= 0) {
                    return null;
                }
                node = ~entry;
            }
            copy[(node << 8) | address.byteAt(lastDepth)] = update.getValue();
        }
        return copy == null ? this : new PrefixTrie(copy, ipv6);
    }

    /** Number of 256-entry nodes (memory use is this x 1 KiB). */
    public int nodeCount() {
        return nodes.length / STRIDE_ENTRIES;
    }

    private static final class Builder {
        int[] nodes = new int[STRIDE_ENTRIES * 8];
        int nodeCount = 1;

        Builder(int defaultValue) {
            Arrays.fill(nodes, 0, STRIDE_ENTRIES, defaultValue);
        }

        void insert(Cidr prefix, int value) {
            final IpAddress address = prefix.address();
            final int length = prefix.prefixLength();
            int node = 0;
            int depth = 0;
            while (length > 8 * (depth + 1)) {
                final int slot = (node << 8) | address.byteAt(depth);
                final int entry = nodes[slot];
                if (entry >= 0) {
                    final int child = newNode(entry);
                    nodes[slot] = ~child;
                    node = child;
                } else {
                    node = ~entry;
                }
                depth++;
            }
            // Entries are inserted shortest first, so no child node exists under this range yet.
            final int freeBits = 8 * (depth + 1) - length;
            final int first = length == 0 ? 0 : address.byteAt(depth) & ~((1 << freeBits) - 1);
            final int base = node << 8;
            Arrays.fill(nodes, base + first, base + first + (1 << freeBits), value);
        }

        private int newNode(int fill) {
            if ((nodeCount + 1) * STRIDE_ENTRIES > nodes.length) {
                nodes = Arrays.copyOf(nodes, nodes.length * 2);
            }
            final int node = nodeCount++;
            Arrays.fill(nodes, node * STRIDE_ENTRIES, (node + 1) * STRIDE_ENTRIES, fill);
            return node;
        }
    }
}
