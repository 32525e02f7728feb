package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.bpf.XdpMode;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.worker.WorkerRunner;
import io.isthmus.fastpath.xsk.AfXdpPortFactory;
import io.isthmus.fastpath.xsk.XskBindMode;
import io.isthmus.fastpath.xsk.XskConfig;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frame ledger with multi-buffer ports: pods that keep TSO/GSO on, the program attached
 * generically (so super-packets arrive as chains of frames that the ports segment, or keep whole
 * and send with a vnet header: chains then travel the pipeline), a TCP stream
 * through the runtime's port manager; while it flows and after both ports are detached, every UMEM
 * frame is in the pool or lent to the kernel, then all in the pool: no frame of a chain is lost or
 * released twice. Root + AF_XDP only (skipped visibly otherwise).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OffloadFrameLedgerTest {
    private static final int UMEM_FRAMES = 8192;

    @RegisterExtension
    final PodExtension pods = new PodExtension();

    @ParameterizedTest(name = "{0}")
    @EnumSource(XskConfig.GsoTransmit.class)
    void everyFrameOfEveryChainComesBack(XskConfig.GsoTransmit gsoTransmit) throws Exception {
        final Pod a = pods.podWithOffloads("10.216.0.2");
        final Pod b = pods.podWithOffloads("10.216.0.3");
        final XskConfig config = new XskConfig(2048, 2048, 1024, XskBindMode.AUTO, XdpMode.GENERIC).withGsoTransmit(gsoTransmit);
        final AfXdpPortFactory factory = pods.closeLater(AfXdpPortFactory.allocate(UMEM_FRAMES, config));
        final RouteTableRef routes = new RouteTableRef(RouteTable.empty());
        final Worker worker = Worker.switchingWithSlots("ledger", 4, factory.pool(), routes, new SystemNanoClock());
        final WorkerRunner runner = pods.closeLater(WorkerRunner.start(worker, IdleMode.BACKOFF));
        final PortManager ports = new PortManager(worker, factory, routes, Duration.ofSeconds(5));
        try {
            final int slotA = ports.attach(attachment(a));
            final int slotB = ports.attach(attachment(b));
            try (TcpStream stream = TcpStream.start(a, b, 7200)) {
                stream.awaitReceived(1024 * 1024, 60);
                assertEquals(UMEM_FRAMES, (int) worker.call(() -> factory.pool().available() + factory.loans().outstandingTotal())
                        .get(5, TimeUnit.SECONDS), "pool + lent frames while chains flow");
                stream.assertWhole();
            }
            final PortCounters fromA = worker.call(() -> worker.port(slotA).counters()).get(5, TimeUnit.SECONDS);
            final PortCounters toB = worker.call(() -> worker.port(slotB).counters()).get(5, TimeUnit.SECONDS);
            switch (gsoTransmit) {
                case SEGMENT_ON_RECEIVE -> assertTrue(fromA.get(PortCounters.Counter.RX_GSO_PACKETS) > 0, "super-packets were segmented");
                case SEGMENT_ON_TRANSMIT -> {
                    assertTrue(fromA.get(PortCounters.Counter.RX_GSO_KEPT_WHOLE) > 0, "super-packets were kept whole");
                    assertTrue(toB.get(PortCounters.Counter.TX_SOFTWARE_GSO_PACKETS) > 0, "and segmented onto B's TX ring");
                    assertEquals(0, toB.get(PortCounters.Counter.TX_VNET_SENDS));
                }
                case VNET_HEADER -> {
                    assertTrue(fromA.get(PortCounters.Counter.RX_GSO_KEPT_WHOLE) > 0, "super-packets were kept whole");
                    assertTrue(toB.get(PortCounters.Counter.TX_VNET_SENDS) > 0, "and sent whole with a vnet header");
                }
            }
        } finally {
            ports.detachAll();
        }
        assertEquals(UMEM_FRAMES, (int) worker.call(factory.pool()::available).get(5, TimeUnit.SECONDS),
                "every frame is back in the pool once every port is detached");
        assertNull(runner.firstError());
    }

    private static PortAttachment attachment(Pod pod) {
        return new PortAttachment(pod.hostInterface(), Ipv4Address.parse(pod.ip()), MacAddress.parse(pod.mac()), pod.toString());
    }
}
