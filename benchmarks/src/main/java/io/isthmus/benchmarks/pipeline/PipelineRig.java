package io.isthmus.benchmarks.pipeline;

import io.isthmus.benchmarks.fastpath.SwitchingPathBenchmark;
import io.isthmus.benchmarks.fastpath.VarySourcePort;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import io.isthmus.conntrack.nat.SnatPortPool;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.Ipv4Flyweight;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.UdpFlyweight;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.runtime.services.ServiceAffinity;
import io.isthmus.fastpath.stage.SwitchingPipeline;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.lb.affinity.AffinityTable;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The harness's packet-rate figures (issue 10) as the worker sees them, without the kernel: pod A
 * on port 0 sends 64-byte UDP (60 bytes before the FCS) one way over 1 or N flows (the source port
 * varies per packet, as {@code isthmus pktgen --flows N} does, the checksum kept valid); the three
 * backends B1..B3 sit on ports 1..3, as in the harness's topology. One duty cycle = one batch of 64
 * through the real stages of {@link SwitchingPipeline} over {@link InMemoryPort}s.
 * <ul>
 *   <li>{@link Path#POD}: A → B1:9, switching pipeline without conntrack: the harness's pod → pod
 *       figure ({@code isthmus fastpath --port});</li>
 *   <li>{@link Path#POD_FLOW}: A → B1:9 through the whole pipeline (conntrack, Service, policy,
 *       commit; every packet after a flow's first ESTABLISHED, no NAT): pod → pod on a node
 *       ({@code isthmus up}, {@code fastpath --services});</li>
 *   <li>{@link Path#CLUSTERIP}: A → ClusterIP:5001 through the whole pipeline, DNATed to B1..B3:9
 *       by the Service's Maglev choice (every packet rewritten, incremental checksums): the harness's
 *       ClusterIP figure ({@code isthmus fastpath --services}).</li>
 * </ul>
 * The flow paths run with the runtime's flow settings (an affinity table attached, as
 * {@code FastpathRuntime} does). Every flow's first packet (the insert) happens in {@link #build};
 * what is measured afterwards is the steady state.
 *
 * <p><b>Thread-safety:</b> one thread builds, runs and closes a rig.
 */
final class PipelineRig implements AutoCloseable {
    /** The shapes compared. */
    enum Path {
        POD("pod"), POD_FLOW("pod-flow"), CLUSTERIP("clusterip");

        final String label;

        Path(String label) {
            this.label = label;
        }

        static Path parse(String text) {
            for (Path path : values()) {
                if (path.label.equals(text)) {
                    return path;
                }
            }
            throw new IllegalArgumentException("unknown path '" + text + "' (want pod, pod-flow or clusterip)");
        }
    }

    static final int FRAME_LENGTH = SwitchingPathBenchmark.FRAME_LENGTH;
    static final int POD_A = Ipv4Address.parse("10.244.1.2");
    static final int[] BACKENDS = {Ipv4Address.parse("10.244.1.3"), Ipv4Address.parse("10.244.1.4"), Ipv4Address.parse("10.244.1.5")};
    static final int VIP = Ipv4Address.parse("10.96.0.10");
    static final int SERVICE_PORT = 5001;
    static final int TARGET_PORT = 9;
    static final int FIRST_SOURCE_PORT = VarySourcePort.FIRST_SOURCE_PORT;
    private static final int DESTINATION_PORT_OFFSET = 36;

    final Path path;
    final int flows;
    /** The pipeline's stages in order, as the wrapper saw them (names for reports). */
    final List<String> stageNames = new ArrayList<>();
    private final Arena arena;
    private final ConntrackTable conntrack;
    private final AffinityTable affinity;
    private final Worker worker;

    private PipelineRig(Path path, int flows, Arena arena, ConntrackTable conntrack, AffinityTable affinity, Worker worker) {
        this.path = path;
        this.flows = flows;
        this.arena = arena;
        this.conntrack = conntrack;
        this.affinity = affinity;
        this.worker = worker;
    }

    /**
     * A rig for {@code path} over {@code flows} flows, each stage of the switching pipeline passed
     * through {@code wrap} (index, stage → the stage to run; the identity for the plain pipeline),
     * every flow established. Throws if warming up dropped anything or left other than {@code flows}
     * connections.
     */
    static PipelineRig build(Path path, int flows, BiFunction<Integer, Stage, Stage> wrap) {
        if (flows < 1 || flows > 20_000) {
            throw new IllegalArgumentException("flows must be 1..20000, was " + flows);
        }
        final Arena arena = Arena.ofShared();
        final long[] switchMacs = new long[4];
        final RouteTable.Builder routes = RouteTable.builder(1);
        for (int port = 0; port < 4; port++) {
            switchMacs[port] = MacAddress.parse("02:00:00:00:00:0" + (port + 1));
            routes.port(port, switchMacs[port], port == 0 ? POD_A : BACKENDS[port - 1]);
        }
        final RouteTableRef routeRef = new RouteTableRef(routes.build());
        final FramePool pool = new FramePool(FrameMemory.allocate(arena, 1024, 2048));
        final Port[] ports = new Port[4];
        for (int port = 0; port < 4; port++) {
            final InMemoryPort memoryPort = new InMemoryPort(port, port == 0 ? "pod-a" : "pod-b" + port, pool, 16, PacketBatch.CAPACITY);
            memoryPort.discardTransmitted(true);
            ports[port] = memoryPort;
        }
        final boolean toService = path == Path.CLUSTERIP;
        final MemorySegment frame = udpFrame(arena, switchMacs[0], podMac(0), POD_A, toService ? VIP : BACKENDS[0],
                toService ? SERVICE_PORT : TARGET_PORT);
        ((InMemoryPort) ports[0]).generate(frame, FRAME_LENGTH);
        ConntrackTable conntrack = null;
        AffinityTable affinity = null;
        final PipelineContext context;
        if (path == Path.POD) {
            context = new PipelineContext(ports, pool, routeRef, Worker.ARP_REQUEST_INTERVAL_NS);
        } else {
            final Published<ServiceTable> services = new Published<>(null);
            services.publish(clusterIp());
            conntrack = ConntrackTable.createInMemory(1 << 16, ConntrackTimeouts.linuxDefaults(), new SnatPortPool());
            affinity = new AffinityTable(ServiceAffinity.DEFAULT_CAPACITY_ENTRIES);
            context = new PipelineContext(ports, pool, new FastpathTables(routeRef, services, new Published<>(null), new Published<>(null)),
                    conntrack, ServiceAffinity.withTable(FlowSettings.defaults(), affinity), Worker.ARP_REQUEST_INTERVAL_NS);
        }
        for (int port = 0; port < 4; port++) {
            context.neighbors().learn(port, podMac(port));
        }
        final List<Stage> stages = new ArrayList<>();
        if (flows > 1) {
            stages.add(new VarySourcePort(flows));
        }
        final List<Stage> switching = SwitchingPipeline.stages(context, null);
        final List<String> names = new ArrayList<>();
        for (int s = 0; s < switching.size(); s++) {
            names.add(switching.get(s).getClass().getSimpleName());
            stages.add(wrap.apply(s, switching.get(s)));
        }
        final Worker worker = new Worker("pipeline-rig", ports, context, new Pipeline(stages.toArray(Stage[]::new)), new SystemNanoClock());
        final PipelineRig rig = new PipelineRig(path, flows, arena, conntrack, affinity, worker);
        rig.stageNames.addAll(names);
        for (int cycle = 0; cycle < 4 * flows / PacketBatch.CAPACITY + 4; cycle++) {
            worker.doWork();
        }
        rig.check("warm-up");
        if (conntrack != null && conntrack.size() != flows) {
            rig.close();
            throw new IllegalStateException(path.label + ": expected " + flows + " connections, found " + conntrack.size());
        }
        return rig;
    }

    /** One duty cycle: a batch of 64 from pod A through the pipeline, flushed on the backends' ports. */
    int dutyCycle() {
        return worker.doWork();
    }

    /** Packets that left on each backend's port so far (index 0 = B1). */
    long[] transmittedPerBackend() {
        final long[] sent = new long[3];
        for (int b = 0; b < 3; b++) {
            sent[b] = worker.port(b + 1).counters().get(io.isthmus.fastpath.port.PortCounters.Counter.TX_PACKETS);
        }
        return sent;
    }

    /** Throws if the pipeline dropped anything (a benchmark of a path that drops measures the wrong thing). */
    void check(String when) {
        if (worker.drops().total() != 0) {
            final String drops = worker.drops().describe();
            close();
            throw new IllegalStateException(path.label + " dropped during " + when + ": " + drops);
        }
    }

    @Override
    public void close() {
        worker.onClose();
        if (conntrack != null) {
            conntrack.close();
        }
        if (affinity != null) {
            affinity.close();
        }
        arena.close();
    }

    private static long podMac(int port) {
        return MacAddress.parse("0a:00:00:00:00:0" + (port + 1));
    }

    /** Ethernet + IPv4 + UDP with 18 bytes of data: 60 bytes, checksums valid. */
    private static MemorySegment udpFrame(Arena arena, long dstMac, long srcMac, int srcIp, int dstIp, int dstPort) {
        final MemorySegment frame = SwitchingPathBenchmark.udpFrame(arena, dstMac, srcMac, srcIp, dstIp, FIRST_SOURCE_PORT, dstPort);
        if (NetworkOrder.u16(frame, DESTINATION_PORT_OFFSET) != dstPort) {
            throw new IllegalStateException("the UDP header is not where the rig expects it");
        }
        return frame;
    }

    /** The harness's Service: ClusterIP UDP 5001 → port 9 of the three backends. */
    private static ServiceTable clusterIp() {
        final Service service = Service.builder("default", "bench").clusterIPs(Ipv4Address.format(VIP))
                .port(new ServicePort("udp", Protocol.UDP, SERVICE_PORT, TargetPort.of(TARGET_PORT), 0)).build();
        final List<Endpoint> endpoints = new ArrayList<>();
        for (int backend : BACKENDS) {
            endpoints.add(Endpoint.of(Ipv4Address.format(backend), EndpointConditions.READY, "node-a"));
        }
        final EndpointSlice slice = new EndpointSlice("default", "bench-1", "bench", AddressType.IPV4, endpoints,
                List.of(EndpointPort.of("udp", Protocol.UDP, TARGET_PORT)), Map.of());
        return new ServiceCompiler(NodeContext.of("node-a", Ipv4Address.format(FlowSettings.DEFAULT_NODE_IPV4)))
                .compile(List.of(service), List.of(slice)).table();
    }
}
