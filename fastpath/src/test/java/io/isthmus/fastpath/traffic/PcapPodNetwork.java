package io.isthmus.fastpath.traffic;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pcap.PcapPort;
import io.isthmus.fastpath.pcap.PcapReader;
import io.isthmus.fastpath.pcap.PcapWriter;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.worker.WorkerRunner;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Two pods whose wires are pcap files: pod X writes {@code X-sends.pcap}, which port X follows as it
 * grows; port X writes {@code X-receives.pcap}, which the pod follows. The worker runs on its own
 * thread. The files stay in the given directory for a look with tcpdump after a failure.
 */
final class PcapPodNetwork implements PodNetwork {
    private final Arena arena = Arena.ofShared();
    private final PcapPort[] ports = new PcapPort[2];
    private final Worker worker;
    private final WorkerRunner runner;
    private final Endpoint a;
    private final Endpoint b;

    PcapPodNetwork(Path dir) throws IOException {
        Files.createDirectories(dir);
        final FramePool pool = new FramePool(FrameMemory.allocate(arena, 4096, 2048));
        a = new Endpoint("a", dir, Ipv4Address.parse("10.244.1.2"), MacAddress.parse("0a:58:0a:f4:01:02"));
        b = new Endpoint("b", dir, Ipv4Address.parse("10.244.1.3"), MacAddress.parse("0a:58:0a:f4:01:03"));
        ports[0] = a.openPort(0, pool);
        ports[1] = b.openPort(1, pool);
        a.openReceiver();
        b.openReceiver();
        final RouteTableRef routes = new RouteTableRef(RouteTable.builder(1)
                .port(0, MacAddress.parse("02:00:00:00:00:01"), a.ip())
                .port(1, MacAddress.parse("02:00:00:00:00:02"), b.ip()).build());
        worker = Worker.switching("pcap-traffic", new Port[]{ports[0], ports[1]}, pool, routes, new SystemNanoClock());
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
        for (PcapPort port : ports) {
            if (port.failure() != null) {
                text.append("; ").append(port.name()).append(" failed: ").append(port.failure().getMessage());
            }
        }
        return text.toString();
    }

    @Override
    public void close() throws IOException {
        runner.close(); // closes the ports and their files
        a.close();
        b.close();
        arena.close();
    }

    private static final class Endpoint implements PodEndpoint {
        private final Path sends;
        private final Path receives;
        private final int ip;
        private final long mac;
        private final PcapWriter out;
        private PcapReader in;

        Endpoint(String name, Path dir, int ip, long mac) throws IOException {
            this.sends = dir.resolve(name + "-sends.pcap");
            this.receives = dir.resolve(name + "-receives.pcap");
            this.ip = ip;
            this.mac = mac;
            this.out = PcapWriter.create(sends);
        }

        PcapPort openPort(int id, FramePool pool) throws IOException {
            return new PcapPort(id, "pcap:" + sends.getFileName(), pool, PcapReader.follow(sends), PcapWriter.create(receives),
                    System::currentTimeMillis, 256);
        }

        void openReceiver() throws IOException {
            in = PcapReader.follow(receives);
        }

        @Override
        public int ip() {
            return ip;
        }

        @Override
        public long mac() {
            return mac;
        }

        @Override
        public void send(byte[] frame) throws IOException {
            out.write(frame, System.currentTimeMillis() * 1_000_000L);
            out.flush();
        }

        @Override
        public byte[] receive(Duration timeout) throws IOException {
            final long deadlineNs = System.nanoTime() + timeout.toNanos();
            for (int spins = 0; ; spins++) {
                final byte[] frame = in.nextFrame();
                if (frame != null) {
                    return frame;
                }
                if (System.nanoTime() > deadlineNs) {
                    return null;
                }
                if (spins > 10) {
                    LockSupport.parkNanos(50_000);
                }
            }
        }

        void close() throws IOException {
            out.close();
            in.close();
        }
    }
}
