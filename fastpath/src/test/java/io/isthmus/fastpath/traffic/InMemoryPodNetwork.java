package io.isthmus.fastpath.traffic;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.worker.WorkerRunner;
import org.agrona.concurrent.SystemNanoClock;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Two pods on two {@link InMemoryPort}s of a worker that runs on its own thread (AgentRunner,
 * back-off idle strategy): the test thread injects frames and polls what the ports transmitted.
 */
final class InMemoryPodNetwork implements PodNetwork {
    static final long SWITCH_MAC_0 = MacAddress.parse("02:00:00:00:00:01");
    static final long SWITCH_MAC_1 = MacAddress.parse("02:00:00:00:00:02");

    private final Arena arena = Arena.ofShared();
    private final InMemoryPort[] ports = new InMemoryPort[2];
    private final Worker worker;
    private final WorkerRunner runner;
    private final Endpoint a;
    private final Endpoint b;

    InMemoryPodNetwork() {
        final FramePool pool = new FramePool(FrameMemory.allocate(arena, 4096, 2048));
        ports[0] = new InMemoryPort(0, "pod-a", pool, 8192, 256);
        ports[1] = new InMemoryPort(1, "pod-b", pool, 8192, 256);
        a = new Endpoint(ports[0], Ipv4Address.parse("10.244.1.2"), MacAddress.parse("0a:58:0a:f4:01:02"));
        b = new Endpoint(ports[1], Ipv4Address.parse("10.244.1.3"), MacAddress.parse("0a:58:0a:f4:01:03"));
        final RouteTableRef routes = new RouteTableRef(RouteTable.builder(1)
                .port(0, SWITCH_MAC_0, a.ip()).port(1, SWITCH_MAC_1, b.ip()).build());
        worker = Worker.switching("traffic", new Port[]{ports[0], ports[1]}, pool, routes, new SystemNanoClock());
        runner = WorkerRunner.start(worker, IdleMode.BACKOFF);
    }

    @Override
    public PodEndpoint podA() {
        return a;
    }

    @Override
    public PodEndpoint podB() {
        return b;
    }

    @Override
    public String diagnostics() {
        final StringBuilder text = new StringBuilder("drops: ").append(worker.drops().describe());
        for (InMemoryPort port : ports) {
            text.append("; ").append(port.name()).append(" rx=").append(port.counters().get(PortCounters.Counter.RX_PACKETS))
                    .append(" tx=").append(port.counters().get(PortCounters.Counter.TX_PACKETS));
        }
        if (runner.firstError() != null) {
            text.append("; worker error: ").append(runner.firstError());
        }
        return text.toString();
    }

    @Override
    public void close() {
        runner.close();
        arena.close();
    }

    private record Endpoint(InMemoryPort port, int ip, long mac) implements PodEndpoint {
        @Override
        public void send(byte[] frame) {
            final long deadlineNs = System.nanoTime() + 5_000_000_000L;
            while (!port.inject(frame)) {
                if (System.nanoTime() > deadlineNs) {
                    throw new IllegalStateException(port.name() + ": input queue still full after 5 s");
                }
                LockSupport.parkNanos(50_000);
            }
        }

        @Override
        public byte[] receive(Duration timeout) {
            final long deadlineNs = System.nanoTime() + timeout.toNanos();
            for (int spins = 0; ; spins++) {
                final byte[] frame = port.pollTransmitted();
                if (frame != null) {
                    return frame;
                }
                if (System.nanoTime() > deadlineNs) {
                    return null;
                }
                if (spins > 100) {
                    LockSupport.parkNanos(20_000);
                }
            }
        }
    }
}
