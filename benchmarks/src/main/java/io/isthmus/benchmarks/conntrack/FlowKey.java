package io.isthmus.benchmarks.conntrack;

/**
 * A tuple as an on-heap map key (for ConcurrentHashMap). Mutable only so that each thread can
 * reuse one probe key for lookups; keys stored in a map are never changed.
 */
final class FlowKey {
    long srcHi;
    long srcLo;
    long dstHi;
    long dstLo;
    int ports;
    int protoZone;

    FlowKey set(long srcHi, long srcLo, long dstHi, long dstLo, int ports, int protoZone) {
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.dstHi = dstHi;
        this.dstLo = dstLo;
        this.ports = ports;
        this.protoZone = protoZone;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.srcLo == srcLo && k.dstLo == dstLo && k.ports == ports
            && k.srcHi == srcHi && k.dstHi == dstHi && k.protoZone == protoZone;
    }

    @Override
    public int hashCode() {
        long h = srcLo * 0x9E37_79B9_7F4A_7C15L ^ dstLo * 0xC2B2_AE3D_27D4_EB4FL ^ srcHi ^ dstHi * 31
            ^ ((long) ports << 32 | protoZone & 0xFFFF_FFFFL) * 0x94D0_49BB_1331_11EBL;
        h ^= h >>> 29;
        return (int) (h ^ h >>> 32);
    }
}
