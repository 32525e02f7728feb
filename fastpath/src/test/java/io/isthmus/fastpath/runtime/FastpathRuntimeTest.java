package io.isthmus.fastpath.runtime;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConnectionSpec;
import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.policy.model.NamespaceInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime end to end on real AF_XDP ports: pods attached through {@code FastpathControl} talk
 * (ping, TCP); desired records arrive in order and a resync removes what was not announced; a
 * restart of the runtime over the same /dev/shm conntrack file keeps its entries and an open TCP
 * stream keeps flowing once the ports are attached again. Root + AF_XDP only (skipped visibly).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FastpathRuntimeTest {
    @RegisterExtension
    final PodExtension pods = new PodExtension();
    private final Path conntrackFile = Path.of("/dev/shm", "isthmus-test-conntrack-" + UUID.randomUUID());

    @AfterEach
    void removeConntrackFile() throws Exception {
        Files.deleteIfExists(conntrackFile);
    }

    @Test
    void podsAttachedThroughControlTalkAndDetachLeavesNothing() throws Exception {
        final Pod a = pods.pod("10.213.0.2");
        final Pod b = pods.pod("10.213.0.3");
        final DesiredRecords desired = new DesiredRecords();
        try (FastpathRuntime runtime = FastpathRuntime.start(FastpathRuntimeConfig.small(conntrackFile), desired,
                PipelineFactory.switching())) {
            runtime.control().attachPort(attachment(a)).get(10, TimeUnit.SECONDS);
            runtime.control().attachPort(attachment(b)).get(10, TimeUnit.SECONDS);
            final Shell.Result ping = a.exec(30, "ping", "-c", "3", "-W", "2", b.ip());
            assertTrue(ping.ok(), ping.output());
            try (TcpStream stream = TcpStream.start(a, b, 7200)) {
                waitForBytes(stream, 256 * 1024);
                stream.assertWhole();
            }
            runtime.control().detachPort(a.hostInterface()).get(10, TimeUnit.SECONDS);
            runtime.control().detachPort(b.hostInterface()).get(10, TimeUnit.SECONDS);
            runtime.control().detachPort("isx-never-was").get(10, TimeUnit.SECONDS);
            assertEquals(runtime.portFactory().pool().capacity(),
                    (int) runtime.worker().call(runtime.portFactory().pool()::available).get(5, TimeUnit.SECONDS));
            assertTrue(runtime.ports().attached().isEmpty());
            assertNull(runtime.workerError());
        }
        assertFalse(Shell.check("ip", "-o", "link", "show", a.hostInterface()).contains("xdp"));
        assertFalse(Shell.check("ip", "-o", "link", "show", b.hostInterface()).contains("xdp"));
    }

    @Test
    void desiredRecordsArriveInOrderAndAResyncRemovesWhatWasNotAnnounced() throws Exception {
        pods.pod("10.213.1.2"); // only for the visible root/AF_XDP check: the runtime maps a UMEM and opens /dev/shm
        final DesiredRecords desired = new DesiredRecords();
        final java.util.concurrent.atomic.AtomicInteger compiles = new java.util.concurrent.atomic.AtomicInteger();
        try (FastpathRuntime runtime = FastpathRuntime.start(FastpathRuntimeConfig.small(conntrackFile), tables -> desired,
                PipelineFactory.switching(), applied -> {
                    assertTrue(applied == desired);
                    compiles.incrementAndGet();
                })) {
            assertEquals(0, compiles.get(), "nothing applied, nothing to compile");
            runtime.control().upsert(DesiredKind.POLICY_NAMESPACE, "a", NamespaceInfo.of("a", Map.of()));
            runtime.control().upsert(DesiredKind.POLICY_NAMESPACE, "b", NamespaceInfo.of("b", Map.of("team", "x")));
            runtime.control().delete(DesiredKind.POLICY_NAMESPACE, "a");
            runtime.control().barrier().get(5, TimeUnit.SECONDS);
            assertEquals(Map.of("b", NamespaceInfo.of("b", Map.of("team", "x"))), desired.snapshot(DesiredKind.POLICY_NAMESPACE));
            assertTrue(compiles.get() >= 1, "the after-requests hook ran on the control agent");

            runtime.control().beginSync(7);
            runtime.control().upsert(DesiredKind.POLICY_NAMESPACE, "c", NamespaceInfo.of("c", Map.of()));
            runtime.control().endSync(7);
            runtime.control().barrier().get(5, TimeUnit.SECONDS);
            assertEquals(Map.of("c", NamespaceInfo.of("c", Map.of())), desired.snapshot(DesiredKind.POLICY_NAMESPACE));
            assertEquals(7, desired.lastCompletedEpoch());

            runtime.control().upsert(DesiredKind.POLICY_NAMESPACE, "bad", "not a NamespaceInfo");
            runtime.control().barrier().get(5, TimeUnit.SECONDS);
            assertEquals(1, runtime.failedControlRequests(), "a bad payload is refused and counted");
        }
    }

    @Test
    void conntrackAndAnOpenStreamOutliveAFastPathRestart() throws Exception {
        final Pod a = pods.pod("10.213.2.2");
        final Pod b = pods.pod("10.213.2.3");
        final FastpathRuntimeConfig config = FastpathRuntimeConfig.small(conntrackFile);
        final ConnectionSpec flow = new ConnectionSpec().tuple(Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(Ipv4Address.parse(a.ip())),
                Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(Ipv4Address.parse(b.ip())), 40000, 7300, 6, 0);
        FastpathRuntime first = FastpathRuntime.start(config, new DesiredRecords(), PipelineFactory.switching());
        try (TcpStream stream = startStream(first, a, b)) {
            final ConntrackCursor writer = first.conntrack().cursor(0);
            final int nowS = first.conntrack().nowS(System.currentTimeMillis());
            assertTrue(writer.insert(flow, nowS) >= 0, "the entry a conntrack stage would make");
            final long before = stream.receivedBytes();
            first.close();
            first = null;

            try (FastpathRuntime second = FastpathRuntime.start(config, new DesiredRecords(), PipelineFactory.switching())) {
                assertEquals(1, second.conntrack().size(), "the table was reopened, not recreated");
                assertTrue(second.conntrack().cursor(0).lookup(flow.origSrcHi, flow.origSrcLo, flow.origDstHi, flow.origDstLo,
                        ConntrackDescriptor.ports(40000, 7300), 6, 0) >= 0, "the connection is still tracked");
                second.control().attachPort(attachment(a)).get(10, TimeUnit.SECONDS);
                second.control().attachPort(attachment(b)).get(10, TimeUnit.SECONDS);
                waitForBytes(stream, before + 256 * 1024);
                stream.assertWhole();
            }
        } finally {
            if (first != null) {
                first.close();
            }
        }
    }

    private TcpStream startStream(FastpathRuntime runtime, Pod a, Pod b) throws Exception {
        runtime.control().attachPort(attachment(a)).get(10, TimeUnit.SECONDS);
        runtime.control().attachPort(attachment(b)).get(10, TimeUnit.SECONDS);
        final TcpStream stream = TcpStream.start(a, b, 7300);
        waitForBytes(stream, 64 * 1024);
        return stream;
    }

    static void waitForBytes(TcpStream stream, long bytes) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stream.receivedBytes() < bytes) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stream carried " + stream.receivedBytes() + " bytes, wanted " + bytes);
            }
            Thread.sleep(20);
        }
    }

    static PortAttachment attachment(Pod pod) {
        return new PortAttachment(pod.hostInterface(), Ipv4Address.parse(pod.ip()), MacAddress.parse(pod.mac()), pod.toString());
    }
}
