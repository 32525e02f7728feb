package io.isthmus.fastpath.xsk;

/** The kernel's drop counters of one AF_XDP socket ({@code struct xdp_statistics}). */
public record XskStatistics(long rxDropped, long rxInvalidDescs, long txInvalidDescs, long rxRingFull,
                            long rxFillRingEmptyDescs, long txRingEmptyDescs) {
}
