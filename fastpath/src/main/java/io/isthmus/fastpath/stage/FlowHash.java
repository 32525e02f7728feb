package io.isthmus.fastpath.stage;

/**
 * The hash of a flow's 5-tuple the Service stage gives Maglev ({@code slot = table[hash mod M]}):
 * the same flow always gets the same hash, and flows that differ in one bit of any field spread
 * evenly (MurmurHash3's 32-bit finalizer over a mix of the fields).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class FlowHash {
    private FlowHash() {
    }

    public static int of(int srcIpv4, int dstIpv4, int ports, int protocol) {
        int h = srcIpv4 * 0x9E3779B1;
        h = Integer.rotateLeft(h ^ dstIpv4, 13) * 0x85EBCA6B;
        h = Integer.rotateLeft(h ^ ports, 15) * 0xC2B2AE35;
        h ^= protocol;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
