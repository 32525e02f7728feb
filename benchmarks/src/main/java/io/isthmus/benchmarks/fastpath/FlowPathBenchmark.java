package io.isthmus.benchmarks.fastpath;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import io.isthmus.conntrack.nat.SnatPortPool;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.stage.SwitchingPipeline;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.lb.compile.NodeContext;
import io.isthmus.lb.compile.ServiceCompiler;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.lb.table.ServiceTable;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where a worker's time goes for ClusterIP traffic against pod → pod, the shapes of the harness's
 * packet-rate figures (issue 10) without the kernel: 64-byte UDP from pod A on port 0, one way, over
 * 1 or 1,000 flows (the source port varies per packet, the UDP checksum kept valid), one duty cycle
 * = one batch of 64 (one operation = one packet):
 * <ul>
 *   <li>{@code routes}: A → B:9 through the switching pipeline without conntrack
 *       ({@code isthmus fastpath --port});</li>
 *   <li>{@code pod}: A → B:9 through the whole pipeline (conntrack, Service, policy, commit: every
 *       packet after the first of a flow is ESTABLISHED, no NAT) ({@code isthmus up}, pod → pod);</li>
 *   <li>{@code clusterip}: A → ClusterIP:5001, DNATed to B:9 (the established entry's rewrite with
 *       incremental checksums on every packet) ({@code isthmus up}, pod → ClusterIP).</li>
 * </ul>
 * Every flow's first packet (the insert) happens during warm-up; the figures are the steady state.
 * One backend, so that every packet leaves on port 1; the Maglev pick only runs on a flow's
 * first packet anyway.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FlowPathBenchmark {
    static final int POD_A = Ipv4Address.parse("10.244.1.2");
    static final int POD_B = Ipv4Address.parse("10.244.1.3");
    static final int VIP = Ipv4Address.parse("10.96.0.10");
    static final int SERVICE_PORT = 5001;
    static final int TARGET_PORT = 9;
    static final int FIRST_SOURCE_PORT = VarySourcePort.FIRST_SOURCE_PORT;

    @Param({"routes", "pod", "clusterip"})
    public String path;

    @Param({"1", "1000"})
    public int flows;

    private Arena arena;
    private Worker worker;
    private ConntrackTable conntrack;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        final RouteTableRef routes = new RouteTableRef(RouteTable.builder(1)
                .port(0, SwitchingPathBenchmark.SWITCH_MAC_0, POD_A).port(1, SwitchingPathBenchmark.SWITCH_MAC_1, POD_B).build());
        final FramePool pool = new FramePool(FrameMemory.allocate(arena, 1024, 2048));
        final InMemoryPort port0 = new InMemoryPort(0, "pod-a", pool, 16, PacketBatch.CAPACITY);
        final InMemoryPort port1 = new InMemoryPort(1, "pod-b", pool, 16, PacketBatch.CAPACITY);
        final MemorySegment frame = SwitchingPathBenchmark.udpFrame(arena, SwitchingPathBenchmark.SWITCH_MAC_0,
                SwitchingPathBenchmark.POD_MAC_A, POD_A, path.equals("clusterip") ? VIP : POD_B);
        retarget(frame, path.equals("clusterip") ? SERVICE_PORT : TARGET_PORT);
        port0.generate(frame, SwitchingPathBenchmark.FRAME_LENGTH);
        port0.discardTransmitted(true);
        port1.discardTransmitted(true);
        final Port[] ports = {port0, port1};
        final PipelineContext context;
        if (path.equals("routes")) {
            context = new PipelineContext(ports, pool, routes, Worker.ARP_REQUEST_INTERVAL_NS);
        } else {
            final Published<ServiceTable> services = new Published<>(null);
            services.publish(clusterIp());
            conntrack = ConntrackTable.createInMemory(1 << 14, ConntrackTimeouts.linuxDefaults(), new SnatPortPool());
            context = new PipelineContext(ports, pool, new FastpathTables(routes, services, new Published<>(null), new Published<>(null)),
                    conntrack, FlowSettings.defaults(), Worker.ARP_REQUEST_INTERVAL_NS);
        }
        context.neighbors().learn(0, SwitchingPathBenchmark.POD_MAC_A);
        context.neighbors().learn(1, SwitchingPathBenchmark.POD_MAC_B);
        final Pipeline pipeline = SwitchingPipeline.create(context);
        final int flowCount = flows;
        final Pipeline varied = flowCount == 1 ? pipeline : new Pipeline(new VarySourcePort(flowCount), pipeline::run);
        worker = new Worker("flow-path", ports, context, varied, new SystemNanoClock());
        for (int cycle = 0; cycle < 4 * flowCount / PacketBatch.CAPACITY + 4; cycle++) { // every flow's first packet
            worker.doWork();
        }
        if (worker.drops().total() != 0) {
            throw new IllegalStateException("warm-up dropped: " + worker.drops().describe());
        }
        if (conntrack != null && conntrack.size() != flowCount) {
            throw new IllegalStateException("expected " + flowCount + " connections, found " + conntrack.size());
        }
    }

    /** Sets the UDP destination port (and the checksum: the template's was computed for port 5000). */
    private static void retarget(MemorySegment frame, int port) {
        VarySourcePort.rewrite(frame, VarySourcePort.SOURCE_PORT_OFFSET + 2, VarySourcePort.UDP_CHECKSUM_OFFSET, port);
    }

    private static ServiceTable clusterIp() {
        final Service service = Service.builder("default", "sink").clusterIPs(Ipv4Address.format(VIP))
                .port(new ServicePort("udp", Protocol.UDP, SERVICE_PORT, TargetPort.of(TARGET_PORT), 0)).build();
        final EndpointSlice slice = new EndpointSlice("default", "sink-1", "sink", AddressType.IPV4,
                List.of(Endpoint.of(Ipv4Address.format(POD_B), EndpointConditions.READY, "node-a")),
                List.of(EndpointPort.of("udp", Protocol.UDP, TARGET_PORT)), Map.of());
        return new ServiceCompiler(NodeContext.of("node-a", Ipv4Address.format(FlowSettings.DEFAULT_NODE_IPV4)))
                .compile(List.of(service), List.of(slice)).table();
    }

    @Benchmark
    @OperationsPerInvocation(PacketBatch.CAPACITY)
    public int dutyCycle() {
        return worker.doWork();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (worker.drops().total() != 0) {
            throw new IllegalStateException(path + " dropped: " + worker.drops().describe()
                    + " (" + worker.drops().get(DropReason.CONNTRACK_CLASH) + " clashes)");
        }
        worker.onClose();
        if (conntrack != null) {
            conntrack.close();
        }
        arena.close();
    }
}
