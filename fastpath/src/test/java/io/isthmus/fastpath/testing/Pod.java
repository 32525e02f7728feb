package io.isthmus.fastpath.testing;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.PosixConstants;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A "pod" for tests: a network namespace {@code isx-<hex>} whose {@code eth0} is one end of a
 * veth pair; the other end, {@code isx<hex>}, stays in the host namespace for the fast path to
 * attach to. Inside: {@code POD_IP/32} on eth0, lo up, {@code 169.254.1.1 dev eth0 scope link}
 * and a default route via 169.254.1.1 (the routed, Calico-style pod wiring of DESIGN.md).
 *
 * <p>The pod's kernel would hand a userspace switch frames with partial checksums (veth TX
 * checksum offload) and GSO super-packets; both are turned off in the pod
 * ({@code ethtool -K eth0 tx off tso off gso off}). IPv6 is disabled on both ends so that router
 * solicitations and DAD do not add frames the tests did not send.
 *
 * <p>{@link #close()} deletes the namespace and the veth (and so any XDP program on it).
 * Pods not closed by their test are removed by a JVM shutdown hook as a last resort.
 *
 * <p><b>Thread-safety:</b> create and close from the test thread; {@link #exec} and
 * {@link #callInside} may run from any thread.
 */
public final class Pod implements AutoCloseable {
    public static final String GATEWAY_IP = "169.254.1.1";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Pod> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Pod::close), "isthmus-pod-cleanup"));
    }

    private final String netns;
    private final String hostInterface;
    private final String ip;
    private final boolean bare;
    private final boolean offloads;
    private volatile boolean closed;

    private Pod(String netns, String hostInterface, String ip, boolean bare, boolean offloads) {
        this.netns = netns;
        this.hostInterface = hostInterface;
        this.ip = ip;
        this.bare = bare;
        this.offloads = offloads;
    }

    /** Makes a pod with address {@code ip} (dotted IPv4). On any failure removes what it made and throws. */
    public static Pod create(String ip) {
        return make(ip, false, false);
    }

    /**
     * Makes a pod like {@link #create} whose eth0 keeps the veth defaults: TX checksum offload,
     * TSO and GSO on, as a real pod has. Its kernel then sends partial checksums and, where the
     * host end allows it, GSO super-packets: what multi-buffer AF_XDP and software GSO handle.
     */
    public static Pod createWithOffloads(String ip) {
        return make(ip, false, true);
    }

    /**
     * Makes a BARE pod: namespace and veth (eth0 up, IPv6 off, offloads off) but no address and no
     * routes, so the pod's kernel stays silent and a packet socket can play the pod frame by frame.
     * {@code ip} is only remembered (for the switch's route table).
     */
    public static Pod createBare(String ip) {
        return make(ip, true, false);
    }

    private static Pod make(String ip, boolean bare, boolean offloads) {
        final String suffix = HexFormat.of().formatHex(randomBytes(3));
        final Pod pod = new Pod("isx-" + suffix, "isx" + suffix, ip, bare, offloads);
        LIVE.add(pod);
        try {
            pod.build();
            return pod;
        } catch (RuntimeException e) {
            pod.close();
            throw e;
        }
    }

    private static byte[] randomBytes(int count) {
        final byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private void build() {
        Shell.check("ip", "netns", "add", netns);
        Shell.check("ip", "link", "add", hostInterface, "type", "veth", "peer", "name", "eth0", "netns", netns);
        Shell.run(10, "sysctl", "-q", "-w", "net.ipv6.conf." + hostInterface + ".disable_ipv6=1");
        Shell.check("ip", "link", "set", hostInterface, "up");
        Shell.run(10, "ip", "netns", "exec", netns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        Shell.check("ip", "-n", netns, "link", "set", "lo", "up");
        if (!offloads) {
            Shell.check("ip", "netns", "exec", netns, "ethtool", "-K", "eth0", "tx", "off", "tso", "off", "gso", "off");
        }
        if (!bare) {
            Shell.check("ip", "-n", netns, "addr", "add", ip + "/32", "dev", "eth0");
        }
        Shell.check("ip", "-n", netns, "link", "set", "eth0", "up");
        if (!bare) {
            Shell.check("ip", "-n", netns, "route", "add", GATEWAY_IP, "dev", "eth0", "scope", "link");
            Shell.check("ip", "-n", netns, "route", "add", "default", "via", GATEWAY_IP, "dev", "eth0");
        }
    }

    public String netns() {
        return netns;
    }

    /** The veth end in the host namespace, where the fast path attaches. */
    public String hostInterface() {
        return hostInterface;
    }

    public String ip() {
        return ip;
    }

    /** eth0's MAC address inside the pod, as {@code aa:bb:cc:dd:ee:ff}. */
    public String mac() {
        final String out = Shell.check("ip", "-n", netns, "-o", "link", "show", "eth0");
        final int at = out.indexOf("link/ether ");
        return out.substring(at + 11, at + 28);
    }

    /** Runs {@code command} inside the pod ({@code ip netns exec}), with a time limit. */
    public Shell.Result exec(long timeoutSeconds, String... command) {
        final String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = netns;
        System.arraycopy(command, 0, full, 4, command.length);
        return Shell.run(timeoutSeconds, full);
    }

    /**
     * Runs {@code body} on a new platform thread that first moved itself into the pod's network
     * namespace with setns(2): sockets that thread opens live in the pod. Returns its result.
     */
    public <T> T callInside(Callable<T> body) throws Exception {
        final AtomicReference<T> result = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = Thread.ofPlatform().name("in-" + netns).start(() -> {
            try {
                enterNetns();
                result.set(body.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.join();
        if (failure.get() instanceof Exception e) {
            throw e;
        } else if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
        return result.get();
    }

    /** Moves the CALLING thread into this pod's network namespace (it never comes back: use a fresh thread). */
    public void enterNetns() {
        final int fd = Libc.open("/var/run/netns/" + netns, PosixConstants.O_RDONLY | PosixConstants.O_CLOEXEC);
        try {
            Libc.setns(fd, PosixConstants.CLONE_NEWNET, "netns " + netns);
        } finally {
            Libc.close(fd, "netns " + netns);
        }
    }

    /** Deletes the namespace (which deletes eth0 and with it the veth pair) and the host end if left. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Shell.run(30, "ip", "netns", "del", netns);
        if (Shell.run(10, "ip", "link", "show", hostInterface).ok()) {
            Shell.run(10, "ip", "link", "del", hostInterface);
        }
        LIVE.remove(this);
    }

    @Override
    public String toString() {
        return "pod " + netns + " (" + ip + ", host end " + hostInterface + ")";
    }
}
