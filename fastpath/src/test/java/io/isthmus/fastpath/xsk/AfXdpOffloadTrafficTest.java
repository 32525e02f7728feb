package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.testing.StreamDigest;
import io.isthmus.fastpath.bpf.XdpMode;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.fastpath.worker.IdleMode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pods that keep TX checksum offload, TSO and GSO on (as real pods do), switched by the real fast
 * path over multi-buffer AF_XDP ports: a 24 MiB TCP stream arrives whole (byte count and SHA-256).
 * With the program attached natively the veth stops the pod's TSO but not its checksum offload:
 * the port completes partial checksums. Attached generically the pod keeps TSO and sends
 * super-packets up to 64 KiB, which arrive as descriptor chains that the port splits into MTU
 * segments (software GSO) — or, with GSO transmit on (the default), are kept whole and sent to the
 * receiving pod's veth as one GSO packet each through the port's vnet-header socket: the receiving
 * pod's eth0 then counts packets larger than its MTU (natively attached, the MTU segments the pod
 * sends are first coalesced back into super-packets on receive). Root + AF_XDP only (skipped visibly otherwise).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AfXdpOffloadTrafficTest {
    private static final int TOTAL_BYTES = 12 * 1024 * 1024 + 4321;
    private static final int STREAM_CHUNK_BYTES = 256 * 1024;

    @RegisterExtension
    final PodExtension pods = new PodExtension();

    @ParameterizedTest
    @CsvSource({"NATIVE, false", "GENERIC, false", "NATIVE, true", "GENERIC, true"})
    void tcpStreamFromAPodWithOffloadsArrivesIntact(XdpMode mode, boolean gsoTransmit) throws Exception {
        final Pod a = pods.podWithOffloads("10.213.0.2");
        final Pod b = pods.podWithOffloads("10.213.0.3");
        final AfXdpSwitch fastpath = pods.closeLater(AfXdpSwitch.start(List.of(
                new AfXdpSwitch.PortSpec(a.hostInterface(), Ipv4Address.parse(a.ip())),
                new AfXdpSwitch.PortSpec(b.hostInterface(), Ipv4Address.parse(b.ip()))),
                XskConfig.defaults().withXdpMode(mode).withGsoTransmit(gsoTransmit
                        ? XskConfig.GsoTransmit.VNET_HEADER : XskConfig.GsoTransmit.SEGMENT_ON_RECEIVE), IdleMode.BACKOFF));
        assertEquals(gsoTransmit, fastpath.ports().ports().get(1).sendsSuperPacketsWhole(), "a vnet-header socket on B's port");
        assertTrue(fastpath.ports().ports().get(0).socket().scatterGather(), fastpath.ports().interfaces().get(0).describe());
        final String features = a.exec(10, "ethtool", "-k", "eth0").output();
        assertTrue(features.contains("tx-checksumming: on"), features);

        assertEquals(sha256OfRandomStream(TOTAL_BYTES, STREAM_CHUNK_BYTES, 7), stream(a, b, 7010, TOTAL_BYTES, STREAM_CHUNK_BYTES, false, 7),
                "byte count and SHA-256 of what was sent vs received");

        final PortCounters fromA = fastpath.ports().ports().get(0).counters();
        final PortCounters toB = fastpath.ports().ports().get(1).counters();
        if (gsoTransmit) {
            if (mode == XdpMode.GENERIC) {
                assertTrue(features.contains("tcp-segmentation-offload: on"), features);
                assertTrue(fromA.get(PortCounters.Counter.RX_GSO_KEPT_WHOLE) > 0, "no super-packet kept whole; " + counters(fastpath));
            } else {
                assertTrue(fromA.get(PortCounters.Counter.RX_GRO_MERGED) > 0, "no MTU segment coalesced; " + counters(fastpath));
            }
            final long sends = toB.get(PortCounters.Counter.TX_VNET_SENDS);
            assertTrue(sends > 0, "no vnet-header send; " + counters(fastpath));
            assertTrue(toB.get(PortCounters.Counter.TX_VNET_SEGMENTS) > sends, "fewer sends than MTU segments; " + counters(fastpath));
            assertEquals(0, toB.get(PortCounters.Counter.TX_VNET_FAILED), counters(fastpath));
            final long rxPackets = Long.parseLong(b.exec(10, "cat", "/sys/class/net/eth0/statistics/rx_packets").output().strip());
            final long rxBytes = Long.parseLong(b.exec(10, "cat", "/sys/class/net/eth0/statistics/rx_bytes").output().strip());
            assertTrue(rxBytes / rxPackets > 1514, "B's eth0 received " + rxBytes + " bytes in " + rxPackets
                    + " packets: no super-packet reached it; " + counters(fastpath));
        } else if (mode == XdpMode.GENERIC) {
            assertTrue(features.contains("tcp-segmentation-offload: on"), features);
            assertTrue(fromA.get(PortCounters.Counter.RX_GSO_PACKETS) > 0, "no super-packet was segmented; " + counters(fastpath));
            assertTrue(fromA.get(PortCounters.Counter.RX_GSO_SEGMENTS) > fromA.get(PortCounters.Counter.RX_GSO_PACKETS));
        } else {
            assertTrue(fromA.get(PortCounters.Counter.RX_CHECKSUMS_COMPLETED) > 0, "no partial checksum completed; " + counters(fastpath));
        }
        assertEquals(0, fromA.get(PortCounters.Counter.RX_OVERSIZE_DROPPED), counters(fastpath));
        assertEquals(0, fastpath.worker().drops().get(DropReason.IPV4_BAD_CHECKSUM));
        assertNull(fastpath.workerError());
    }

    /**
     * Writes of 1,600 bytes with Nagle off: the pod sends many super-packets of two segments
     * (1,666 bytes) that fit in ONE 2 KiB frame, between full 64 KiB ones. Such a packet must go
     * out as GSO on the vnet-header socket too (on the AF_XDP TX ring the veth drops it as larger
     * than the MTU), and every packet must keep its order (a packet on the TX ring overtaken by a
     * super-packet on the vnet-header socket is, to B, a loss): B never queues a segment out of order.
     */
    @org.junit.jupiter.api.Test
    void smallSuperPacketsInOneFrameArriveInOrderWithoutRetransmits() throws Exception {
        final Pod a = pods.podWithOffloads("10.213.0.4");
        final Pod b = pods.podWithOffloads("10.213.0.5");
        final AfXdpSwitch fastpath = pods.closeLater(AfXdpSwitch.start(List.of(
                new AfXdpSwitch.PortSpec(a.hostInterface(), Ipv4Address.parse(a.ip())),
                new AfXdpSwitch.PortSpec(b.hostInterface(), Ipv4Address.parse(b.ip()))),
                XskConfig.defaults().withXdpMode(XdpMode.GENERIC), IdleMode.BACKOFF));
        final int total = 4 * 1024 * 1024;
        assertEquals(sha256OfRandomStream(total, 1_600, 11), stream(a, b, 7011, total, 1_600, true, 11), "byte count and SHA-256");
        // B's TCP queued nothing out of order: no packet lost (a dropped one leaves a hole) or overtaken.
        // (A's own retransmit count is no measure: tail-loss probes and a SYN sent before the
        // gateway's neighbour was learned count there too.)
        final String outOfOrder = b.exec(10, "nstat", "-az", "TcpExtTCPOFOQueue").output();
        assertTrue(outOfOrder.matches("(?s).*TcpExtTCPOFOQueue\\s+0\\s.*"), "B queued out of order: " + outOfOrder
                + counters(fastpath));
        assertEquals(0, fastpath.ports().ports().get(1).counters().get(PortCounters.Counter.TX_VNET_FAILED), counters(fastpath));
        assertNull(fastpath.workerError());
    }

    /** "count sha256" of {@code totalBytes} drawn from {@code new Random(seed)} in writes of {@code writeBytes}. */
    private static String sha256OfRandomStream(int totalBytes, int writeBytes, long seed) throws Exception {
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        final Random random = new Random(seed);
        final byte[] chunk = new byte[writeBytes];
        for (int left = totalBytes; left > 0; ) {
            final int n = Math.min(left, chunk.length);
            random.nextBytes(chunk);
            sha.update(chunk, 0, n);
            left -= n;
        }
        return totalBytes + " " + HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Streams those bytes from {@code a} to {@code b}'s {@code port} (Nagle off with {@code noDelay}, so
     * each write leaves as it is); returns "count sha256" as {@code b} received them.
     */
    private static String stream(Pod a, Pod b, int port, int totalBytes, int writeBytes, boolean noDelay, long seed) throws Exception {
        try (ServerSocket server = b.callInside(() -> new ServerSocket(port, 1, InetAddress.getByName(b.ip())))) {
            server.setSoTimeout(30_000);
            final CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    s.setSoTimeout(30_000);
                    return StreamDigest.countAndSha256(in);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            a.callInside(() -> {
                final Random random = new Random(seed);
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(noDelay);
                    s.connect(new InetSocketAddress(b.ip(), port), 10_000);
                    s.setSoTimeout(30_000);
                    final OutputStream out = s.getOutputStream();
                    final byte[] chunk = new byte[writeBytes];
                    for (int left = totalBytes; left > 0; ) {
                        final int n = Math.min(left, chunk.length);
                        random.nextBytes(chunk);
                        out.write(chunk, 0, n);
                        left -= n;
                    }
                }
                return null;
            });
            return received.get(60, TimeUnit.SECONDS);
        }
    }

    private static String counters(AfXdpSwitch fastpath) {
        final StringBuilder s = new StringBuilder();
        for (AfXdpPort port : fastpath.ports().ports()) {
            s.append(port.name()).append(':');
            for (PortCounters.Counter c : PortCounters.Counter.values()) {
                s.append(' ').append(c).append('=').append(port.counters().get(c));
            }
            s.append(' ').append(port.socket().statistics()).append("; ");
        }
        for (DropReason reason : DropReason.values()) {
            if (fastpath.worker().drops().get(reason) != 0) {
                s.append(reason).append('=').append(fastpath.worker().drops().get(reason)).append(' ');
            }
        }
        return s.toString();
    }
}
