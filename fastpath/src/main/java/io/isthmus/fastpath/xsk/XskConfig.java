package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.bpf.XdpMode;

/**
 * Sizes and modes of a worker's AF_XDP ports.
 *
 * @param frameSizeBytes   UMEM frame (chunk) size: 2048 or 4096
 * @param framesPerPort    UMEM frames added per port (the UMEM has ports × this many)
 * @param ringEntries      entries of each of the four rings of each socket (power of two);
 *                         the fill ring keeps at most half of {@code framesPerPort}
 * @param bindMode         copy / zero-copy choice of the first socket
 * @param xdpMode          XDP attach mode, or null to try native first and fall back to generic
 * @param scatterGather    ask for multi-buffer AF_XDP ({@code XDP_USE_SG}, a redirect program
 *                         loaded with {@code BPF_F_XDP_HAS_FRAGS}): frames larger than a UMEM frame
 *                         (GSO super-packets of pods that keep TSO/GSO on) arrive as descriptor
 *                         chains; when the kernel refuses it the socket binds without it (logged)
 * @param gsoTransmit      with {@code scatterGather}, what becomes of TCP super-packets (see
 *                         {@link GsoTransmit}); VNET_HEADER by default. Only for workers whose ports
 *                         are all AF_XDP ports.
 */
public record XskConfig(int frameSizeBytes, int framesPerPort, int ringEntries, XskBindMode bindMode, XdpMode xdpMode,
                        boolean scatterGather, GsoTransmit gsoTransmit) {

    /** What a multi-buffer port does with a TCP super-packet (a pod's TSO/GSO packet). */
    public enum GsoTransmit {
        /** Split it into MTU segments on receive (software GSO): the pipeline sees MTU frames only. */
        SEGMENT_ON_RECEIVE,
        /** Keep it whole (a frame chain, MTU segments coalesced) and split it on transmit. */
        SEGMENT_ON_TRANSMIT,
        /**
         * Keep it whole and send it to the egress interface as ONE packet with a virtio_net_hdr
         * (AF_PACKET, {@code PACKET_VNET_HDR}): the receiving pod's stack runs once per super-packet.
         * Where that socket cannot be opened (logged), as SEGMENT_ON_TRANSMIT.
         */
        VNET_HEADER
    }

    /** A configuration that asks for multi-buffer and GSO transmit (the default). */
    public XskConfig(int frameSizeBytes, int framesPerPort, int ringEntries, XskBindMode bindMode, XdpMode xdpMode) {
        this(frameSizeBytes, framesPerPort, ringEntries, bindMode, xdpMode, true, GsoTransmit.VNET_HEADER);
    }

    /** A configuration with super-packets sent whole (VNET_HEADER), which only a multi-buffer socket receives. */
    public XskConfig(int frameSizeBytes, int framesPerPort, int ringEntries, XskBindMode bindMode, XdpMode xdpMode,
                     boolean scatterGather) {
        this(frameSizeBytes, framesPerPort, ringEntries, bindMode, xdpMode, scatterGather, GsoTransmit.VNET_HEADER);
    }

    public XskConfig {
        if (gsoTransmit == null) {
            throw new IllegalArgumentException("gsoTransmit must be one of " + java.util.Arrays.toString(GsoTransmit.values()));
        }
        if (Integer.bitCount(ringEntries) != 1) {
            throw new IllegalArgumentException("ring entries must be a power of two, was " + ringEntries);
        }
        if (framesPerPort < 2 * ringEntries) {
            throw new IllegalArgumentException("framesPerPort (" + framesPerPort + ") must be at least twice ringEntries ("
                    + ringEntries + ") so the fill ring never takes every frame");
        }
    }

    /**
     * 2 KiB frames, 8192 per port (16 MiB), 4096-entry rings, kernel-chosen copy mode, native XDP if
     * possible. The fill ring then holds 4096 frames: about 12 ms of a 64-byte flood at 330k pps,
     * enough to ride out the worker losing its core for a scheduler slice on a shared machine.
     * Measured on 2 shared vCPUs (benchmarks/RESULTS.md): 2048-frame fill rings starved (648k of
     * 3.3M frames dropped for want of fill frames), 4096 did not (4k). Nodes with many pods per
     * worker will want a smaller share per port.
     */
    public static XskConfig defaults() {
        return new XskConfig(2048, 8192, 4096, XskBindMode.AUTO, null, true, GsoTransmit.VNET_HEADER);
    }

    public XskConfig withScatterGather(boolean on) {
        return new XskConfig(frameSizeBytes, framesPerPort, ringEntries, bindMode, xdpMode, on, gsoTransmit);
    }

    public XskConfig withGsoTransmit(GsoTransmit mode) {
        return new XskConfig(frameSizeBytes, framesPerPort, ringEntries, bindMode, xdpMode, scatterGather, mode);
    }

    public XskConfig withBindMode(XskBindMode mode) {
        return new XskConfig(frameSizeBytes, framesPerPort, ringEntries, mode, xdpMode, scatterGather, gsoTransmit);
    }

    public XskConfig withXdpMode(XdpMode mode) {
        return new XskConfig(frameSizeBytes, framesPerPort, ringEntries, bindMode, mode, scatterGather, gsoTransmit);
    }
}
