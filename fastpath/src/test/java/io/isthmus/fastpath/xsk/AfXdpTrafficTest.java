package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.testing.StreamDigest;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.fastpath.worker.IdleMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two routed pods (each a /32 behind the link-local gateway) switched by the real fast path: a
 * worker running the switching pipeline over AF_XDP ports. Pod sockets are opened by threads that
 * setns()'d into the pods. Root + AF_XDP only (skipped visibly otherwise).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AfXdpTrafficTest {
    @RegisterExtension
    final PodExtension pods = new PodExtension();
    private Pod a;
    private Pod b;
    private AfXdpSwitch fastpath;

    @BeforeEach
    void twoPodsThroughTheFastPath() {
        a = pods.pod("10.210.0.2");
        b = pods.pod("10.210.0.3");
        fastpath = pods.closeLater(AfXdpSwitch.start(List.of(
                new AfXdpSwitch.PortSpec(a.hostInterface(), Ipv4Address.parse(a.ip())),
                new AfXdpSwitch.PortSpec(b.hostInterface(), Ipv4Address.parse(b.ip()))),
                XskConfig.defaults(), IdleMode.BACKOFF));
    }

    @Test
    void pingWorksBothWays() {
        final Shell.Result ab = a.exec(30, "ping", "-c", "3", "-W", "2", b.ip());
        assertTrue(ab.ok(), ab.output());
        final Shell.Result ba = b.exec(30, "ping", "-c", "3", "-W", "2", a.ip());
        assertTrue(ba.ok(), ba.output());
        assertTrue(fastpath.ports().ports().get(1).counters().get(PortCounters.Counter.TX_PACKETS) >= 6);
        assertEquals(0, fastpath.worker().drops().get(DropReason.IPV4_BAD_CHECKSUM));
        assertNull(fastpath.workerError());
    }

    @Test
    void udpRequestAndReply() throws Exception {
        try (DatagramSocket server = b.callInside(() -> new DatagramSocket(new InetSocketAddress(b.ip(), 7007)))) {
            server.setSoTimeout(30_000);
            final CompletableFuture<String> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    final DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
                    server.receive(in);
                    final String text = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
                    server.send(new DatagramPacket(("echo " + text).getBytes(StandardCharsets.UTF_8),
                            ("echo " + text).length(), in.getSocketAddress()));
                    return text;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            final String reply = a.callInside(() -> {
                try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(a.ip(), 0))) {
                    client.setSoTimeout(2_000);
                    final byte[] hello = "hello through AF_XDP".getBytes(StandardCharsets.UTF_8);
                    // The fast path drops the first datagram while it resolves pod B's MAC (ARP); resend on timeout.
                    for (int attempt = 0; ; attempt++) {
                        client.send(new DatagramPacket(hello, hello.length, InetAddress.getByName(b.ip()), 7007));
                        try {
                            final DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
                            client.receive(in);
                            return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
                        } catch (java.net.SocketTimeoutException e) {
                            if (attempt == 4) {
                                throw new AssertionError("no UDP reply; " + diagnostics(), e);
                            }
                        }
                    }
                }
            });
            assertEquals("hello through AF_XDP", echoed.get(20, TimeUnit.SECONDS));
            assertEquals("echo hello through AF_XDP", reply);
        }
    }

    @Test
    void tcpCarriesTenMegabytesIntact() throws Exception {
        final int totalBytes = 10 * 1024 * 1024 + 12345;
        try (ServerSocket server = b.callInside(() -> new ServerSocket(7008, 1, InetAddress.getByName(b.ip())))) {
            server.setSoTimeout(30_000);
            final CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    s.setSoTimeout(30_000);
                    return StreamDigest.countAndSha256(in);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            final String sent = a.callInside(() -> {
                final MessageDigest sha = MessageDigest.getInstance("SHA-256");
                final Random random = new Random(42);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(b.ip(), 7008), 10_000);
                    s.setSoTimeout(30_000);
                    final OutputStream out = s.getOutputStream();
                    final byte[] chunk = new byte[64 * 1024];
                    for (int left = totalBytes; left > 0; ) {
                        final int n = Math.min(left, chunk.length);
                        random.nextBytes(chunk);
                        sha.update(chunk, 0, n);
                        out.write(chunk, 0, n);
                        left -= n;
                    }
                }
                return totalBytes + " " + HexFormat.of().formatHex(sha.digest());
            });
            assertEquals(sent, received.get(60, TimeUnit.SECONDS), "byte count and SHA-256 of what was sent vs received");
        }
        assertEquals(0, fastpath.worker().drops().get(DropReason.IPV4_BAD_CHECKSUM));
        assertNull(fastpath.workerError());
    }

    /** Port counters and non-zero drop reasons, for failure messages. */
    private String diagnostics() {
        final StringBuilder s = new StringBuilder();
        for (AfXdpPort port : fastpath.ports().ports()) {
            s.append(port.name()).append(':');
            for (PortCounters.Counter c : PortCounters.Counter.values()) {
                s.append(' ').append(c).append('=').append(port.counters().get(c));
            }
            s.append("; ");
        }
        for (DropReason reason : DropReason.values()) {
            if (fastpath.worker().drops().get(reason) != 0) {
                s.append(reason).append('=').append(fastpath.worker().drops().get(reason)).append(' ');
            }
        }
        return s.toString();
    }

    @Test
    void theWorkersPortsSendMoreThanTheKernelsThirtyTwoFramesAKick() {
        final int probe = fastpath.ports().ports().getFirst().socket().trySetTxBudget(TxBudget.WORKER_FRAMES);
        org.junit.jupiter.api.Assumptions.assumeTrue(probe == 0,
                "this kernel refuses XDP_MAX_TX_SKB_BUDGET (errno " + probe + "; Linux 6.17+ has it): ports keep 32 a kick");
        for (AfXdpPort port : fastpath.ports().ports()) {
            assertEquals(TxBudget.WORKER_FRAMES, port.txBudgetFrames(), port.name());
        }
        assertEquals(io.isthmus.fastpath.linux.Errno.EACCES, fastpath.ports().ports().getFirst().socket().trySetTxBudget(1 << 20),
                "more than the TX ring holds is refused");
    }

    @Test
    void closingTheFastPathDetachesEveryProgram() {
        fastpath.close();
        assertFalse(Shell.check("ip", "-o", "link", "show", a.hostInterface()).contains("prog/xdp"));
        assertFalse(Shell.check("ip", "-o", "link", "show", b.hostInterface()).contains("prog/xdp"));
    }
}
