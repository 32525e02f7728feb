package io.isthmus.benchmarks.dns;

import io.isthmus.dns.wire.DomainNames;
import io.isthmus.dns.wire.RecordType;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.ServicePort;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.stage.DnsStageSettings;
import io.isthmus.fastpath.stage.SwitchingPipeline;
import io.isthmus.fastpath.worker.Worker;
import org.agrona.concurrent.SystemNanoClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The inline DNS answer in the fast path, per query: a worker duty cycle over an in-memory port
 * that delivers 64 copies of one query frame per batch, through the switching pipeline with the
 * DNS stage (parse → learn → ARP → DNS: answer in the frame, turn the headers around, queue on the
 * ingress port), then the port's flush (the transmitted frames go back to the pool). Zone: 2,000
 * ClusterIP Services, as in {@link AnswerBenchmark}.
 *
 * <p>{@code query}: A = a ClusterIP Service; PROBE = a search-path probe
 * ({@code www.example.com.default.svc.cluster.local}, NXDOMAIN); ROUTED = a UDP packet to another
 * pod through the same pipeline (the DNS stage looks at it and lets it pass; route, rewrite, TX):
 * the side-by-side baseline, what forwarding one packet costs. Run with {@code -prof gc}: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InlineAnswerBenchmark {
    private static final long SWITCH_MAC_0 = MacAddress.parse("02:00:00:00:00:01");
    private static final long SWITCH_MAC_1 = MacAddress.parse("02:00:00:00:00:02");
    private static final long POD_MAC_A = MacAddress.parse("0a:00:00:00:00:0a");
    private static final long POD_MAC_B = MacAddress.parse("0a:00:00:00:00:0b");
    private static final int POD_A = Ipv4Address.parse("10.244.1.2");
    private static final int POD_B = Ipv4Address.parse("10.244.1.3");
    private static final int DNS_IP = Ipv4Address.parse("10.96.0.10");

    @Param({"A", "PROBE", "ROUTED"})
    public String query;

    private Arena arena;
    private Worker worker;
    private InMemoryPort port0;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        final ZoneBuilder builder = new ZoneBuilder(ZoneSettings.defaults());
        for (int i = 0; i < 2_000; i++) {
            builder.addService(ServiceRecord.clusterIp("ns" + (i % 50), "svc-" + i,
                    List.of(InetAddress.ofLiteral("10.96." + (i / 250) + "." + (i % 250 + 1))), List.of(new ServicePort("http", "TCP", 80))));
        }
        final Zone zone = builder.build();
        final RouteTableRef routes = new RouteTableRef(RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, POD_B).build());
        final FramePool pool = new FramePool(FrameMemory.allocate(arena, 1024, 2048));
        port0 = new InMemoryPort(0, "pod-a", pool, 16, PacketBatch.CAPACITY);
        final InMemoryPort port1 = new InMemoryPort(1, "pod-b", pool, 16, PacketBatch.CAPACITY);
        final MemorySegment frame = switch (query) {
            case "A" -> frame(DNS_IP, 53, dnsQuery("svc-1234.ns34.svc.cluster.local", RecordType.A));
            case "PROBE" -> frame(DNS_IP, 53, dnsQuery("www.example.com.default.svc.cluster.local", RecordType.A));
            case "ROUTED" -> frame(POD_B, 5000, dnsQuery("svc-1234.ns34.svc.cluster.local", RecordType.A));
            default -> throw new IllegalArgumentException(query);
        };
        port0.generate(frame, (int) frame.byteSize());
        port0.discardTransmitted(true);
        port1.discardTransmitted(true);
        final Port[] ports = {port0, port1};
        final PipelineContext context = new PipelineContext(ports, pool, routes, Worker.ARP_REQUEST_INTERVAL_NS);
        context.neighbors().learn(0, POD_MAC_A);
        context.neighbors().learn(1, POD_MAC_B);
        worker = new Worker("dns", ports, context,
                SwitchingPipeline.create(context, new DnsStageSettings(DNS_IP, 53, new Published<>(zone), null)), new SystemNanoClock());
    }

    private static byte[] dnsQuery(String name, int type) {
        final byte[] wireName = DomainNames.toWire(name);
        final byte[] message = new byte[12 + wireName.length + 4];
        message[0] = 0x12;
        message[1] = 0x34;
        message[2] = 0x01; // RD
        message[5] = 1; // QDCOUNT
        System.arraycopy(wireName, 0, message, 12, wireName.length);
        message[12 + wireName.length + 1] = (byte) type;
        message[12 + wireName.length + 3] = 1; // IN
        return message;
    }

    /** Ethernet + IPv4 + UDP from pod A (port 40000) to {@code dstIp:dstPort}, checksums set. */
    private MemorySegment frame(int dstIp, int dstPort, byte[] payload) {
        final int length = 42 + payload.length;
        final MemorySegment frame = arena.allocate(length);
        NetworkOrder.putMac(frame, 0, SWITCH_MAC_0);
        NetworkOrder.putMac(frame, 6, POD_MAC_A);
        NetworkOrder.putU16(frame, 12, 0x0800);
        NetworkOrder.putU32(frame, 14, 0x4500_0000 | (length - 14));
        NetworkOrder.putU32(frame, 18, 0x0001_4000);
        NetworkOrder.putU32(frame, 22, (64 << 24) | (17 << 16));
        NetworkOrder.putU32(frame, 26, POD_A);
        NetworkOrder.putU32(frame, 30, dstIp);
        NetworkOrder.putU16(frame, 24, InternetChecksum.compute(frame, 14, 20));
        NetworkOrder.putU32(frame, 34, (40000 << 16) | dstPort);
        NetworkOrder.putU32(frame, 38, (8 + payload.length) << 16);
        MemorySegment.copy(payload, 0, frame, ValueLayout.JAVA_BYTE, 42, payload.length);
        NetworkOrder.putU16(frame, 40, InternetChecksum.compute(
                InternetChecksum.pseudoHeaderSumIpv4(POD_A, dstIp, 17, 8 + payload.length), frame, 34, 8 + payload.length));
        return frame;
    }

    @Benchmark
    @OperationsPerInvocation(PacketBatch.CAPACITY)
    public int dutyCycle() {
        return worker.doWork();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        final long sent = port0.counters().get(PortCounters.Counter.TX_PACKETS) + worker.port(1).counters().get(PortCounters.Counter.TX_PACKETS);
        if (worker.drops().total() != 0 || sent == 0) {
            throw new IllegalStateException("dropped: " + worker.drops().describe() + ", sent " + sent);
        }
        final boolean answered = port0.counters().get(PortCounters.Counter.TX_PACKETS) > 0;
        if (answered == query.equals("ROUTED")) {
            throw new IllegalStateException(query + ": the packets left by the wrong port");
        }
        worker.onClose();
        arena.close();
    }
}
