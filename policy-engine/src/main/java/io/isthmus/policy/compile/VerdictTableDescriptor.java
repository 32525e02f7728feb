package io.isthmus.policy.compile;

/**
 * Layout of a compiled verdict table: one {@code int[]} per local identity, so that a verdict
 * touches the header (one cache line) and one slot pair.
 *
 * <pre>
 *   index
 *   0        flags: bit 0 isolated for ingress, bit 1 isolated for egress
 *   1        ingress mask (slot capacity - 1, a power of two minus one)
 *   2        ingress slots offset
 *   3        egress mask
 *   4        egress slots offset
 *   5..8     ingress any-remote port set per protocol (TCP, UDP, SCTP, other)
 *   9..12    egress any-remote port set per protocol
 *   13..     ingress slots, then egress slots; each slot is two ints:
 *            +-----------------------------------+----------------------+
 *            | key = remoteIdentity &lt;&lt; 2 | proto | port set id          |
 *            +-----------------------------------+----------------------+
 *            key EMPTY_KEY (0) marks a free slot: identity 0 is never handed out, so
 *            no valid key is 0 (keys use all 32 bits); linear probing; load &lt;= 0.5
 * </pre>
 */
final class VerdictTableDescriptor {
    static final int FLAGS = 0;
    static final int MASK = 1;           // + 2 * direction
    static final int SLOTS_OFFSET = 2;   // + 2 * direction
    static final int ANY_REMOTE = 5;     // + 4 * direction + protocol
    static final int HEADER_INTS = 13;
    static final int SLOT_INTS = 2;

    private VerdictTableDescriptor() {
    }
}
