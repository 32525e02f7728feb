package io.isthmus.fastpath.uplink;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.PosixConstants;
import io.isthmus.fastpath.testing.Shell;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node with an uplink, made of network namespaces, so that a test never touches the real host's
 * interfaces:
 *
 * <pre>
 *   outside ns "isxo-HEX"              node ns "isxn-HEX"                     pod ns "isxp-HEX-i"
 *   eth0 CLIENT/24  ── veth ──  uplink "isxuHEX" NODE/24 (kernel: ARP, ping, listeners)
 *                  (1 or N queues each way)
 *                                pod ends "isxpHEXi" (no address) ── veth ──  eth0 POD_i/32,
 *                                                                              default via 169.254.1.1
 * </pre>
 * Offloads are off on the outside's and the pods' eth0 (the fast path takes frames raw: checksums
 * must be complete), IPv6 is off everywhere (no router solicitations in the captures).
 * {@link #close()} deletes every namespace (and with them every veth); a JVM shutdown hook does it
 * for a test that died before its finally.
 *
 * <p><b>Thread-safety:</b> make and close from the test thread; {@link #callIn} from any.
 */
final class NodeTopology implements AutoCloseable {
    static final String GATEWAY = "169.254.1.1";

    final String hex = HexFormat.of().formatHex(randomBytes(3));
    final String nodeNs = "isxn-" + hex;
    final String outsideNs = "isxo-" + hex;
    final String uplink = "isxu" + hex;
    final String nodeIp;
    final String clientIp;
    final List<String> podNs = new ArrayList<>();
    final List<String> podIf = new ArrayList<>();
    final List<String> podIp = new ArrayList<>();
    private final Thread cleanup = new Thread(this::deleteNamespaces, "isthmus-uplink-topology-cleanup");
    private boolean closed;

    private static byte[] randomBytes(int n) {
        final byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    NodeTopology(String nodeIp, String clientIp, String prefix, List<String> podIps) {
        this(nodeIp, clientIp, prefix, podIps, 1);
    }

    /**
     * As {@link #NodeTopology(String, String, String, List)} with an uplink veth of
     * {@code uplinkQueues} TX and RX queues at both ends: with native XDP on a veth, a frame
     * arrives on the RX queue numbered as the peer's TX queue, which the outside's kernel picks per
     * flow (by its hash), so different connections land on different queues, as RSS spreads them
     * on a NIC.
     */
    NodeTopology(String nodeIp, String clientIp, String prefix, List<String> podIps, int uplinkQueues) {
        this.nodeIp = nodeIp;
        this.clientIp = clientIp;
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Shell.check("ip", "netns", "add", nodeNs);
            Shell.check("ip", "netns", "add", outsideNs);
            for (String ns : List.of(nodeNs, outsideNs)) {
                Shell.run(10, "ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
                Shell.run(10, "ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
                Shell.check("ip", "-n", ns, "link", "set", "lo", "up");
            }
            final String queues = Integer.toString(uplinkQueues);
            Shell.check("ip", "link", "add", uplink, "numtxqueues", queues, "numrxqueues", queues, "netns", nodeNs, "type", "veth",
                    "peer", "name", "eth0", "numtxqueues", queues, "numrxqueues", queues, "netns", outsideNs);
            Shell.check("ip", "netns", "exec", outsideNs, "ethtool", "-K", "eth0", "tx", "off", "tso", "off", "gso", "off");
            Shell.check("ip", "-n", nodeNs, "addr", "add", nodeIp + "/" + prefix, "dev", uplink);
            Shell.check("ip", "-n", outsideNs, "addr", "add", clientIp + "/" + prefix, "dev", "eth0");
            Shell.check("ip", "-n", nodeNs, "link", "set", uplink, "up");
            Shell.check("ip", "-n", outsideNs, "link", "set", "eth0", "up");
            for (int i = 0; i < podIps.size(); i++) {
                final String ns = "isxp-" + hex + "-" + i;
                final String ifname = "isxp" + hex + i;
                podNs.add(ns);
                podIf.add(ifname);
                podIp.add(podIps.get(i));
                Shell.check("ip", "netns", "add", ns);
                Shell.run(10, "ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
                Shell.check("ip", "-n", ns, "link", "set", "lo", "up");
                Shell.check("ip", "link", "add", ifname, "netns", nodeNs, "type", "veth", "peer", "name", "eth0", "netns", ns);
                // the pod keeps TX checksum offload, TSO and GSO, as the CNI leaves them: its replies reach the
                // uplink with partial checksums the fast path completes
                Shell.check("ip", "-n", ns, "addr", "add", podIps.get(i) + "/32", "dev", "eth0");
                Shell.check("ip", "-n", ns, "link", "set", "eth0", "up");
                Shell.check("ip", "-n", ns, "route", "add", GATEWAY, "dev", "eth0", "scope", "link");
                Shell.check("ip", "-n", ns, "route", "add", "default", "via", GATEWAY, "dev", "eth0");
                Shell.check("ip", "-n", nodeNs, "link", "set", ifname, "up");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** eth0's MAC in namespace {@code ns}. */
    static String macIn(String ns) {
        final String out = Shell.check("ip", "-n", ns, "-o", "link", "show", "eth0");
        final int at = out.indexOf("link/ether ");
        return out.substring(at + 11, at + 28);
    }

    /** Runs {@code body} on a fresh platform thread that moved into {@code ns} (setns): its sockets live there. */
    static <T> T callIn(String ns, Callable<T> body) throws Exception {
        final AtomicReference<T> result = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = Thread.ofPlatform().name("in-" + ns).start(() -> {
            try {
                final int fd = Libc.open("/var/run/netns/" + ns, PosixConstants.O_RDONLY | PosixConstants.O_CLOEXEC);
                try {
                    Libc.setns(fd, PosixConstants.CLONE_NEWNET, "netns " + ns);
                } finally {
                    Libc.close(fd, "netns " + ns);
                }
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

    private void deleteNamespaces() {
        for (String ns : podNs) {
            Shell.run(30, "ip", "netns", "del", ns);
        }
        Shell.run(30, "ip", "netns", "del", outsideNs);
        Shell.run(30, "ip", "netns", "del", nodeNs);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run: it deletes the same namespaces again, harmlessly
        }
    }
}
