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
 */
public record XskConfig(int frameSizeBytes, int framesPerPort, int ringEntries, XskBindMode bindMode, XdpMode xdpMode) {

    public XskConfig {
        if (Integer.bitCount(ringEntries) != 1) {
            throw new IllegalArgumentException("ring entries must be a power of two, was " + ringEntries);
        }
        if (framesPerPort < 2 * ringEntries) {
            throw new IllegalArgumentException("framesPerPort (" + framesPerPort + ") must be at least twice ringEntries ("
                    + ringEntries + ") so the fill ring never takes every frame");
        }
    }

    /** 2 KiB frames, 4096 per port, 2048-entry rings, kernel-chosen copy mode, native XDP if possible. */
    public static XskConfig defaults() {
        return new XskConfig(2048, 4096, 2048, XskBindMode.AUTO, null);
    }

    public XskConfig withBindMode(XskBindMode mode) {
        return new XskConfig(frameSizeBytes, framesPerPort, ringEntries, mode, xdpMode);
    }

    public XskConfig withXdpMode(XdpMode mode) {
        return new XskConfig(frameSizeBytes, framesPerPort, ringEntries, bindMode, mode);
    }
}
