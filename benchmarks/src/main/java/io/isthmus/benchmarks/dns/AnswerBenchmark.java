package io.isthmus.benchmarks.dns;

import io.isthmus.dns.answer.AnswerEngine;
import io.isthmus.dns.answer.Transport;
import io.isthmus.dns.wire.CompressingWriter;
import io.isthmus.dns.wire.DomainNames;
import io.isthmus.dns.wire.RecordType;
import io.isthmus.dns.zone.EndpointRecord;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.ServicePort;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Answer construction in place into an off-heap buffer, as the inline DNS stage will do it in a
 * frame: restore the query bytes (the previous answer overwrote them), then answer. A zone of
 * 2,000 ClusterIP Services and 200 headless ones (3 endpoints each). Run with {@code -prof gc}
 * to see bytes allocated per operation (the target is 0).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AnswerBenchmark {
    private static final int CLUSTER_IP_SERVICES = 2_000;
    private static final int HEADLESS_SERVICES = 200;

    /** A: a ClusterIP Service; SRV: a headless Service's named port (3 SRV + 3 A additional); NXDOMAIN: an absent name. */
    @Param({"A", "SRV", "NXDOMAIN"})
    public String query;

    private Arena arena;
    private Zone zone;
    private AnswerEngine engine;
    private MemorySegment frame;
    private MemorySegment queryBytes;
    private int queryLength;

    @Setup(Level.Trial)
    public void setUp() {
        final ZoneBuilder builder = new ZoneBuilder(ZoneSettings.defaults());
        for (int i = 0; i < CLUSTER_IP_SERVICES; i++) {
            builder.addService(ServiceRecord.clusterIp("ns" + (i % 50), "svc-" + i,
                    List.of(InetAddress.ofLiteral("10.96." + (i / 250) + "." + (i % 250 + 1))), List.of(new ServicePort("http", "TCP", 80))));
        }
        for (int i = 0; i < HEADLESS_SERVICES; i++) {
            builder.addService(ServiceRecord.headless("db", "h-" + i, List.of(), false));
            builder.addEndpointSlice(new EndpointSliceRecord("db", "h-" + i, List.of(new ServicePort("pg", "TCP", 5432)), List.of(
                    new EndpointRecord(List.of(InetAddress.ofLiteral("10.200." + i + ".1")), "h-" + i + "-0", true),
                    new EndpointRecord(List.of(InetAddress.ofLiteral("10.200." + i + ".2")), "h-" + i + "-1", true),
                    new EndpointRecord(List.of(InetAddress.ofLiteral("10.200." + i + ".3")), "", true))));
        }
        zone = builder.build();
        engine = new AnswerEngine();
        final String name;
        final int type;
        switch (query) {
            case "A" -> {
                name = "svc-1234.ns34.svc.cluster.local";
                type = RecordType.A;
            }
            case "SRV" -> {
                name = "_pg._tcp.h-77.db.svc.cluster.local";
                type = RecordType.SRV;
            }
            default -> {
                name = "missing.ns1.svc.cluster.local";
                type = RecordType.A;
            }
        }
        final CompressingWriter writer = new CompressingWriter();
        writer.u16(0x1234).u16(0x0100).u16(1).u16(0).u16(0).u16(0);
        writer.name(DomainNames.toWire(name), false).u16(type).u16(RecordType.CLASS_IN);
        final byte[] bytes = writer.toByteArray();
        arena = Arena.ofShared();
        queryBytes = arena.allocate(bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, queryBytes, 0, bytes.length);
        queryLength = bytes.length;
        frame = arena.allocate(2048);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int answer() {
        MemorySegment.copy(queryBytes, 0, frame, 0, queryLength);
        return engine.answer(zone, frame, 0, queryLength, 1500, Transport.UDP);
    }
}
