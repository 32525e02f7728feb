package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.frame.FrameLoans;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.worker.WorkerRunner;
import io.isthmus.fastpath.xsk.AfXdpPortFactory;
import io.isthmus.fastpath.xsk.XskBindMode;
import io.isthmus.fastpath.xsk.XskConfig;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ports attached to and detached from a RUNNING worker while a TCP stream flows between two other
 * pods: the churning pod is reachable while attached, its XDP program is gone after each detach, no
 * frame of the shared UMEM is lost (pool + frames lent to the kernel = every frame), and the stream
 * arrives whole. Root + AF_XDP only (skipped visibly otherwise).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DynamicPortsTest {
    private static final int UMEM_FRAMES = 8192;
    private static final int CYCLES = 12;

    @RegisterExtension
    final PodExtension pods = new PodExtension();

    @Test
    void portsComeAndGoWhileTrafficFlowsAndNoFrameIsLost() throws Exception {
        final Pod a = pods.pod("10.211.0.2");
        final Pod b = pods.pod("10.211.0.3");
        final Pod c = pods.pod("10.211.0.4");
        final XskConfig config = new XskConfig(2048, 2048, 1024, XskBindMode.AUTO, null);
        final AfXdpPortFactory factory = pods.closeLater(AfXdpPortFactory.allocate(UMEM_FRAMES, config));
        final RouteTableRef routes = new RouteTableRef(RouteTable.empty());
        final Worker worker = Worker.switchingWithSlots("dynamic", 16, factory.pool(), routes, new SystemNanoClock());
        final WorkerRunner runner = pods.closeLater(WorkerRunner.start(worker, IdleMode.BACKOFF));
        final PortManager ports = new PortManager(worker, factory, routes, Duration.ofSeconds(5));
        try {
            ports.attach(attachment(a));
            ports.attach(attachment(b));
            try (TcpStream stream = TcpStream.start(a, b, 7100)) {
                stream.awaitReceived(64 * 1024, 30); // established and flowing before the churn starts
                for (int cycle = 0; cycle < CYCLES; cycle++) {
                    final int slot = ports.attach(attachment(c));
                    assertEquals(2, slot, "the churning port reuses the one free slot");
                    assertTrue(pingOnce(c, a), "cycle " + cycle + ": c reaches a while attached");
                    assertTrue(ports.detach(c.hostInterface()));
                    assertFalse(Shell.check("ip", "-o", "link", "show", c.hostInterface()).contains("xdp"),
                            "cycle " + cycle + ": no XDP program left on " + c.hostInterface());
                    assertEquals(0, (int) worker.call(() -> factory.loans().outstanding(slot)).get(5, TimeUnit.SECONDS));
                    assertEquals(UMEM_FRAMES, (int) worker.call(() -> framesAccountedFor(factory.pool(), factory.loans()))
                            .get(5, TimeUnit.SECONDS), "cycle " + cycle + ": pool + lent frames");
                    stream.awaitReceived(stream.receivedBytes() + 16 * 1024, 30); // still flowing
                }
                stream.assertWhole();
            }
            assertFalse(pingOnce(c, a), "a detached pod is not switched any more");
        } finally {
            ports.detachAll();
        }
        assertEquals(UMEM_FRAMES, (int) worker.call(factory.pool()::available).get(5, TimeUnit.SECONDS),
                "every frame is back in the pool once every port is detached");
        for (Pod pod : new Pod[]{a, b, c}) {
            assertFalse(Shell.check("ip", "-o", "link", "show", pod.hostInterface()).contains("xdp"));
        }
        assertNull(runner.firstError());
    }

    private static int framesAccountedFor(FramePool pool, FrameLoans loans) {
        return pool.available() + loans.outstandingTotal();
    }

    private static PortAttachment attachment(Pod pod) {
        return new PortAttachment(pod.hostInterface(), Ipv4Address.parse(pod.ip()), MacAddress.parse(pod.mac()), pod.toString());
    }

    private static boolean pingOnce(Pod from, Pod to) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (from.exec(10, "ping", "-c", "1", "-W", "1", to.ip()).ok()) {
                return true;
            }
        }
        return false;
    }
}
