package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.bpf.BpfProgram;
import io.isthmus.fastpath.bpf.XdpLink;
import io.isthmus.fastpath.bpf.XdpMode;
import io.isthmus.fastpath.bpf.XdpRedirectProgramBuilder;
import io.isthmus.fastpath.bpf.XskMap;
import io.isthmus.fastpath.linux.LinuxException;

/**
 * Everything that makes one interface's frames arrive on AF_XDP sockets: the sockets (a pod's
 * interface has one, on queue 0; the uplink one per receive queue, {@link #attachQueues}), an
 * XSKMAP with each socket at its queue index, the XDP program, and the BPF link that attaches it
 * (native mode first, generic if the device refuses). {@link #close()} undoes it in reverse order:
 * link (detaches), program, map, sockets (the last queue's first).
 *
 * <p><b>Thread-safety:</b> slow path only; close after the worker using the socket stopped.
 */
public final class AfXdpInterface implements AutoCloseable {
    /** XSKMAP entries: one per receive queue Isthmus could serve. */
    static final int MAX_QUEUES = 64;
    /** Sockets one interface may have (one per receive queue); its XSKMAP grows past {@link #MAX_QUEUES} for them. */
    public static final int MAX_QUEUES_PER_INTERFACE = 1024;

    /** By queue: {@code sockets[q]} is bound to queue {@code q}. */
    private final XskSocket[] sockets;
    private final XskMap map;
    private final BpfProgram program;
    private final XdpLink link;

    private AfXdpInterface(XskSocket[] sockets, XskMap map, BpfProgram program, XdpLink link) {
        this.sockets = sockets;
        this.map = map;
        this.program = program;
        this.link = link;
    }

    /**
     * Attaches to {@code interfaceName} queue 0. {@code first} is null for the worker's first
     * interface (its socket registers {@code umem}), else the first one (its UMEM is shared).
     */
    public static AfXdpInterface attach(String interfaceName, Umem umem, AfXdpInterface first, XskConfig config) {
        return attachSharing(interfaceName, umem, first == null ? null : first.socket(), config);
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
        return attachQueues(interfaceName, 1, umem, shareWith, config, program);
    }

    /**
     * One socket on each of the queues {@code 0..queueCount-1} of {@code interfaceName}, all in one
     * XSKMAP at their queue index, under one program (the uplink: the NIC spreads flows over its
     * queues, and a queue without a socket would hand its frames to the program's fallback). The
     * first socket shares the UMEM of {@code shareWith} or registers {@code umem} when that is
     * null; the others share it with the first ({@code XDP_SHARED_UMEM}: each has its own fill and
     * completion rings, being on another queue). Throws naming the interface and queue; whatever
     * was opened is closed again.
     */
    public static AfXdpInterface attachQueues(String interfaceName, int queueCount, Umem umem, XskSocket shareWith,
                                              XskConfig config, XdpProgramLoader program) {
        if (queueCount < 1 || queueCount > MAX_QUEUES_PER_INTERFACE) {
            throw new IllegalArgumentException(interfaceName + ": " + queueCount + " queues; an interface takes 1.."
                    + MAX_QUEUES_PER_INTERFACE);
        }
        final XskSocket[] sockets = new XskSocket[queueCount];
        XskMap map = null;
        BpfProgram loaded = null;
        try {
            for (int q = 0; q < queueCount; q++) {
                sockets[q] = XskSocket.open(interfaceName, q, umem, q == 0 ? shareWith : shareWith == null ? sockets[0] : shareWith, config);
            }
            map = XskMap.create("isx_xsks", Math.max(MAX_QUEUES, queueCount));
            for (XskSocket socket : sockets) {
                map.put(socket.queueId(), socket.fd());
            }
            loaded = program.load(map.fd(), sockets[0].scatterGather());
            final XdpLink link = config.xdpMode() == null
                    ? XdpLink.attachPreferNative(loaded, sockets[0].ifindex())
                    : XdpLink.attach(loaded, sockets[0].ifindex(), config.xdpMode());
            return new AfXdpInterface(sockets, map, loaded, link);
        } catch (RuntimeException e) {
            if (loaded != null) {
                loaded.close();
            }
            if (map != null) {
                map.close();
            }
            for (int q = queueCount - 1; q >= 0; q--) {
                if (sockets[q] != null) {
                    sockets[q].close();
                }
            }
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

    /** The socket of queue 0 (a pod's interface has no other). */
    public XskSocket socket() {
        return sockets[0];
    }

    /** The socket bound to queue {@code queue}. */
    public XskSocket socket(int queue) {
        return sockets[queue];
    }

    /** How many queues have a socket (1 for a pod's interface). */
    public int queueCount() {
        return sockets.length;
    }

    public String interfaceName() {
        return sockets[0].interfaceName();
    }

    /** The XDP mode the kernel accepted for the program. */
    public XdpMode xdpMode() {
        return link.mode();
    }

    /** True when the socket runs zero-copy. */
    public boolean zeroCopy() {
        return sockets[0].zeroCopy();
    }

    /** One line for logs: {@code isx1a2b3c: XDP native, AF_XDP copy mode} (and {@code , 4 RX queues} when more than one). */
    public String describe() {
        return interfaceName() + ": XDP " + xdpMode().name().toLowerCase() + ", AF_XDP "
                + (zeroCopy() ? "zero-copy" : "copy") + " mode" + (sockets[0].scatterGather() ? ", multi-buffer" : "")
                + (sockets.length > 1 ? ", " + sockets.length + " RX queues" : "");
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        final AutoCloseable[] steps = new AutoCloseable[3 + sockets.length];
        steps[0] = link;
        steps[1] = program;
        steps[2] = map;
        for (int q = 0; q < sockets.length; q++) {
            steps[3 + q] = sockets[sockets.length - 1 - q]; // queue 0 last: the others share its UMEM registration
        }
        for (AutoCloseable step : steps) {
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
