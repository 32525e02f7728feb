package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.bpf.BpfProgram;

/**
 * Loads the XDP program an interface gets, over the XSKMAP holding its socket: the pods' redirect
 * program ({@link AfXdpInterface#REDIRECT_EVERYTHING}) or the uplink's steering program.
 */
@FunctionalInterface
public interface XdpProgramLoader {
    /**
     * @param xskMapFd    the XSKMAP the program redirects into
     * @param multiBuffer the socket took multi-buffer frames (XDP_USE_SG): the program may be loaded
     *                    accepting fragments ({@code BPF_F_XDP_HAS_FRAGS})
     */
    BpfProgram load(int xskMapFd, boolean multiBuffer);
}
