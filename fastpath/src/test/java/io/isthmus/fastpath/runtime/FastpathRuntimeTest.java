package io.isthmus.fastpath.runtime;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.reader.ConntrackReader;
import io.isthmus.conntrack.reader.ConntrackRecord;
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
 * restart of the runtime over the same /dev/shm conntrack file keeps the entry the conntrack stage
 * made for an open TCP stream, which keeps flowing (and counting on that entry) once the ports
 * are attached again. Root + AF_XDP only (skipped visibly).
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
        FastpathRuntime first = FastpathRuntime.start(config, new DesiredRecords(), PipelineFactory.switching());
        try (TcpStream stream = startStream(first, a, b)) {
            final ConntrackRecord before = awaitStreamEntry(b, 7300, 0);
            assertEquals("ESTABLISHED", before.stateName(), "the conntrack stage tracks the stream: " + before);
            final long received = stream.receivedBytes();
            first.close();
            first = null;

            try (FastpathRuntime second = FastpathRuntime.start(config, new DesiredRecords(), PipelineFactory.switching())) {
                final ConntrackRecord reopened = awaitStreamEntry(b, 7300, 0);
                assertEquals(before.entryIndex(), reopened.entryIndex(), "the same entry, reopened from /dev/shm, not recreated");
                second.control().attachPort(attachment(a)).get(10, TimeUnit.SECONDS);
                second.control().attachPort(attachment(b)).get(10, TimeUnit.SECONDS);
                stream.awaitReceived(received + 256 * 1024, 30);
                final ConntrackRecord after = awaitStreamEntry(b, 7300, reopened.origPackets() + 1);
                assertEquals(before.entryIndex(), after.entryIndex(), "the connection kept its entry");
                assertEquals("ESTABLISHED", after.stateName());
                stream.assertWhole();
                assertNull(second.workerError());
            }
        } finally {
            if (first != null) {
                first.close();
            }
        }
    }

    /** The conntrack entry of the TCP stream to {@code server}:{@code port} with at least {@code minPackets} original packets. */
    private ConntrackRecord awaitStreamEntry(Pod server, int port, long minPackets) throws Exception {
        final int serverIp = Ipv4Address.parse(server.ip());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            final java.util.List<ConntrackRecord> found = new java.util.ArrayList<>();
            try (ConntrackReader reader = ConntrackReader.open(conntrackFile)) {
                reader.forEach(System.currentTimeMillis(), record -> {
                    if (record.proto() == 6 && record.origDport() == port && record.origDstLo() == Addresses.ipv4Lo(serverIp)) {
                        found.add(record);
                    }
                });
            }
            if (found.size() == 1 && found.getFirst().origPackets() >= minPackets) {
                return found.getFirst();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no single conntrack entry for the stream to " + server.ip() + ":" + port
                        + " with >= " + minPackets + " packets: " + found);
            }
            Thread.sleep(50);
        }
    }

    private TcpStream startStream(FastpathRuntime runtime, Pod a, Pod b) throws Exception {
        runtime.control().attachPort(attachment(a)).get(10, TimeUnit.SECONDS);
        runtime.control().attachPort(attachment(b)).get(10, TimeUnit.SECONDS);
        final TcpStream stream = TcpStream.start(a, b, 7300);
        stream.awaitReceived(64 * 1024, 30);
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
