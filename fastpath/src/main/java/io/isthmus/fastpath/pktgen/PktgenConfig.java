package io.isthmus.fastpath.pktgen;

/**
 * What {@link PacketGenerator} sends: {@code flows} flows from {@code srcIp} to {@code dstIp}
 * that differ in their source port ({@code srcPortBase + flow}), frames of {@code frameSizeBytes}
 * counted as DPDK's pktgen counts them (Ethernet header to FCS inclusive, so 64 means 60 bytes
 * handed to the device), UDP datagrams or TCP SYNs, at most {@code ratePps} packets a second
 * (0 = as fast as possible).
 */
public record PktgenConfig(long srcMac, long dstMac, int srcIp, int dstIp, int frameSizeBytes, Protocol protocol,
                           int flows, int srcPortBase, int dstPort, long ratePps) {
    public static final int MIN_FRAME_BYTES = 64;
    public static final int MAX_FRAME_BYTES = 1518;
    /** The frame check sequence the device adds; not part of what AF_XDP sends. */
    public static final int FCS_BYTES = 4;

    public enum Protocol { UDP, TCP_SYN }

    public PktgenConfig {
        if (frameSizeBytes < MIN_FRAME_BYTES || frameSizeBytes > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("frame size " + frameSizeBytes + " is not in " + MIN_FRAME_BYTES + ".." + MAX_FRAME_BYTES);
        }
        if (flows < 1 || flows > 65_536 || srcPortBase < 1 || srcPortBase + flows - 1 > 65_535) {
            throw new IllegalArgumentException(flows + " flows from source port " + srcPortBase + " do not fit in 1..65535");
        }
        if (dstPort < 1 || dstPort > 65_535) {
            throw new IllegalArgumentException("destination port " + dstPort + " is not in 1..65535");
        }
        if (ratePps < 0) {
            throw new IllegalArgumentException("rate " + ratePps + " is negative");
        }
    }

    /** Bytes written into a UMEM frame: the frame size less the FCS. */
    public int wireBytes() {
        return frameSizeBytes - FCS_BYTES;
    }
}
