package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.PortKind;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host port on real AF_XDP ports, the fast path alone (no agent): the test plays the agent's
 * part with iproute2 (a veth pair of a unique name in the host namespace, the node address /32 and
 * the pod CIDR route on its host end) and attaches the other end through {@code FastpathControl}
 * as a port of kind HOST. Then TCP flows host → pod (the host's ARP for the pod answered by proxy
 * ARP) and pod → host (the default route), and detaching leaves no XDP program. Traffic stays
 * between the test's pod and the test's veth. Root + AF_XDP only (skipped visibly).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AfXdpHostPortTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @RegisterExtension
    final PodExtension pods = new PodExtension();
    private final Path conntrackFile = Path.of("/dev/shm", "isthmus-test-conntrack-" + UUID.randomUUID());
    private final int octet = 1 + RANDOM.nextInt(250);
    private final String hostEnd = "ihp" + HexFormat.of().formatHex(randomBytes(3));
    private final String fastpathEnd = hostEnd + "f";
    private final String nodeIp = "198.19." + octet + ".1";

    private static byte[] randomBytes(int count) {
        final byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    @AfterEach
    void removeConntrackFile() throws Exception {
        Files.deleteIfExists(conntrackFile);
    }

    @Test
    void hostAndPodTalkTcpBothWaysThroughTheHostPort() throws Exception {
        // a pod as the CNI makes it: TX checksum offload, TSO and GSO on (partial checksums and 64 KiB
        // super-packets reach the fast path, which completes or keeps them whole)
        final Pod pod = pods.podWithOffloads("10.219." + octet + ".2"); // root + AF_XDP checked here, visibly
        pods.closeLater(() -> { // even when the test fails
            if (Shell.run(10, "ip", "link", "show", hostEnd).ok()) {
                Shell.run(10, "ip", "link", "del", hostEnd);
            }
        });
        Shell.check("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", fastpathEnd);
        for (String end : new String[]{hostEnd, fastpathEnd}) { // no IPv6 chatter on the port
            final Path knob = Path.of("/proc/sys/net/ipv6/conf", end, "disable_ipv6");
            if (Files.exists(knob)) {
                Files.writeString(knob, "1");
            }
        }
        Shell.check("ethtool", "-K", hostEnd, "tx", "off", "sg", "off", "tso", "off", "gso", "off");
        Shell.check("ip", "link", "set", fastpathEnd, "up");
        Shell.check("ip", "link", "set", hostEnd, "up");
        Shell.check("ip", "addr", "add", nodeIp + "/32", "dev", hostEnd);
        Shell.check("ip", "route", "add", "10.219." + octet + ".0/24", "dev", hostEnd, "src", nodeIp);
        final String hostMac = Shell.check("cat", "/sys/class/net/" + hostEnd + "/address").strip();

        try (FastpathRuntime runtime = FastpathRuntime.start(FastpathRuntimeConfig.small(conntrackFile), new DesiredRecords(),
                PipelineFactory.switching())) {
            runtime.control().attachPort(FastpathRuntimeTest.attachment(pod)).get(10, TimeUnit.SECONDS);
            runtime.control().attachPort(PortAttachment.host(fastpathEnd, MacAddress.parse(hostMac))).get(10, TimeUnit.SECONDS);
            assertEquals(PortKind.HOST, runtime.ports().attached().getLast().attachment().kind());

            final byte[] payload = randomBytes(512 * 1024);
            try (ServerSocket inPod = pod.callInside(() -> new ServerSocket(7600, 4, InetAddress.ofLiteral("0.0.0.0")))) {
                inPod.setSoTimeout(15_000);
                final CompletableFuture<String> seenAs = CompletableFuture.supplyAsync(() -> {
                    try (Socket accepted = inPod.accept()) {
                        final byte[] all = new DataInputStream(accepted.getInputStream()).readNBytes(payload.length);
                        accepted.getOutputStream().write(MessageDigest.getInstance("SHA-256").digest(all));
                        return accepted.getInetAddress().getHostAddress();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (Socket fromHost = new Socket()) {
                    fromHost.connect(new InetSocketAddress(pod.ip(), 7600), 10_000);
                    fromHost.setSoTimeout(15_000);
                    fromHost.getOutputStream().write(payload);
                    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(payload), fromHost.getInputStream().readNBytes(32),
                            "host → pod: every byte arrived");
                }
                assertEquals(nodeIp, seenAs.get(20, TimeUnit.SECONDS), "the pod sees the route's source, the node address");
            }

            try (ServerSocket onHost = new ServerSocket(7601, 4, InetAddress.ofLiteral(nodeIp))) {
                onHost.setSoTimeout(15_000);
                final CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                    try (Socket accepted = onHost.accept()) {
                        final byte[] all = new DataInputStream(accepted.getInputStream()).readNBytes(payload.length);
                        accepted.getOutputStream().write(MessageDigest.getInstance("SHA-256").digest(all));
                        return accepted.getInetAddress().getHostAddress();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                final byte[] answer = pod.callInside(() -> {
                    try (Socket toHost = new Socket()) {
                        toHost.connect(new InetSocketAddress(nodeIp, 7601), 10_000);
                        toHost.setSoTimeout(10_000);
                        toHost.getOutputStream().write(payload); // the pod's super-packets, to the host port
                        return toHost.getInputStream().readNBytes(32);
                    }
                });
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(payload), answer,
                        "pod → host over the default route: every byte arrived");
                assertEquals(pod.ip(), peer.get(10, TimeUnit.SECONDS));
            }
            final Shell.Result neighbour = Shell.run(10, "ip", "neigh", "show", pod.ip(), "dev", hostEnd);
            assertTrue(neighbour.output().contains(Shell.check("cat", "/sys/class/net/" + fastpathEnd + "/address").strip()),
                    "the host learned the pod at the fast-path end's MAC (proxy ARP): " + neighbour.output());

            runtime.control().detachPort(fastpathEnd).get(10, TimeUnit.SECONDS);
            assertNull(runtime.workerError());
        }
        assertFalse(Shell.check("ip", "-o", "link", "show", fastpathEnd).contains("xdp"), "no XDP program left on " + fastpathEnd);
    }
}
