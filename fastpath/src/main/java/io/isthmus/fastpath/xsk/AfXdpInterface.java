package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.bpf.BpfProgram;
import io.isthmus.fastpath.bpf.XdpLink;
import io.isthmus.fastpath.bpf.XdpMode;
import io.isthmus.fastpath.bpf.XdpRedirectProgramBuilder;
import io.isthmus.fastpath.bpf.XskMap;
import io.isthmus.fastpath.linux.LinuxException;

/**
 * Everything that makes one interface's frames arrive on an AF_XDP socket: the socket (queue 0),
 * an XSKMAP with the socket at its queue index, the redirect program, and the BPF link that
 * attaches it (native mode first, generic if the device refuses). {@link #close()} undoes it in
 * reverse order: link (detaches), program, map, socket.
 *
 * <p><b>Thread-safety:</b> slow path only; close after the worker using the socket stopped.
 */
public final class AfXdpInterface implements AutoCloseable {
    /** XSKMAP entries: one per receive queue Isthmus could serve. */
    static final int MAX_QUEUES = 64;

    private final XskSocket socket;
    private final XskMap map;
    private final BpfProgram program;
    private final XdpLink link;

    private AfXdpInterface(XskSocket socket, XskMap map, BpfProgram program, XdpLink link) {
        this.socket = socket;
        this.map = map;
        this.program = program;
        this.link = link;
    }

    /**
     * Attaches to {@code interfaceName} queue 0. {@code first} is null for the worker's first
     * interface (its socket registers {@code umem}), else the first one (its UMEM is shared).
     */
    public static AfXdpInterface attach(String interfaceName, Umem umem, AfXdpInterface first, XskConfig config) {
        return attachSharing(interfaceName, umem, first == null ? null : first.socket, config);
    }

    /**
     * Attaches to {@code interfaceName} queue 0, sharing the UMEM of {@code shareWith} (any open
     * socket that has it), or registering {@code umem} afresh when {@code shareWith} is null
     * (the worker has no open socket: the first port, or every earlier port was detached).
     */
    public static AfXdpInterface attachSharing(String interfaceName, Umem umem, XskSocket shareWith, XskConfig config) {
        return attachSharing(interfaceName, umem, shareWith, config, REDIRECT_EVERYTHING);
    }

    /** The pods' program: every frame of the port to its socket. */
    public static final XdpProgramLoader REDIRECT_EVERYTHING = AfXdpInterface::loadRedirect;

    /**
     * As {@link #attachSharing(String, Umem, XskSocket, XskConfig)} with the XDP program that
     * {@code program} loads over the XSKMAP's fd (the uplink's steering program takes only the
     * fast path's frames and passes the host's).
     */
    public static AfXdpInterface attachSharing(String interfaceName, Umem umem, XskSocket shareWith, XskConfig config,
                                               XdpProgramLoader program) {
        final XskSocket socket = XskSocket.open(interfaceName, 0, umem, shareWith, config);
        XskMap map = null;
        BpfProgram loaded = null;
        try {
            map = XskMap.create("isx_xsks", MAX_QUEUES);
            map.put(socket.queueId(), socket.fd());
            loaded = program.load(map.fd(), socket.scatterGather());
            final XdpLink link = config.xdpMode() == null
                    ? XdpLink.attachPreferNative(loaded, socket.ifindex())
                    : XdpLink.attach(loaded, socket.ifindex(), config.xdpMode());
            return new AfXdpInterface(socket, map, loaded, link);
        } catch (RuntimeException e) {
            if (loaded != null) {
                loaded.close();
            }
            if (map != null) {
                map.close();
            }
            socket.close();
            throw e;
        }
    }

    /**
     * The redirect program; for a multi-buffer socket loaded with {@code BPF_F_XDP_HAS_FRAGS} (so
     * the kernel hands it GSO super-packets whole), falling back to a plain program where the
     * kernel does not know the flag (then frames larger than a page are linearised or dropped).
     */
    static BpfProgram loadRedirect(int xskMapFd, boolean scatterGather) {
        final XdpRedirectProgramBuilder builder = new XdpRedirectProgramBuilder(xskMapFd);
        if (scatterGather) {
            try {
                return builder.loadAcceptingFragments("isx_redirect");
            } catch (LinuxException e) {
                System.getLogger(AfXdpInterface.class.getName()).log(System.Logger.Level.WARNING, e.getMessage().lines().findFirst().orElse("")
                        + "; loading the redirect program without BPF_F_XDP_HAS_FRAGS");
            }
        }
        return builder.load("isx_redirect");
    }

    public XskSocket socket() {
        return socket;
    }

    public String interfaceName() {
        return socket.interfaceName();
    }

    /** The XDP mode the kernel accepted for the program. */
    public XdpMode xdpMode() {
        return link.mode();
    }

    /** True when the socket runs zero-copy. */
    public boolean zeroCopy() {
        return socket.zeroCopy();
    }

    /** One line for logs: {@code isx1a2b3c: XDP native, AF_XDP copy mode}. */
    public String describe() {
        return interfaceName() + ": XDP " + xdpMode().name().toLowerCase() + ", AF_XDP "
                + (zeroCopy() ? "zero-copy" : "copy") + " mode" + (socket.scatterGather() ? ", multi-buffer" : "");
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable step : new AutoCloseable[] {link, program, map, socket}) {
            try {
                step.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("detaching " + interfaceName() + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
