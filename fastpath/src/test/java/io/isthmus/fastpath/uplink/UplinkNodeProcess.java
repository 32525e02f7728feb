package io.isthmus.fastpath.uplink;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.runtime.FastpathRuntime;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.PipelineFactory;
import io.isthmus.fastpath.runtime.UplinkPort;
import io.isthmus.fastpath.runtime.services.NodeFlowSettings;
import io.isthmus.fastpath.runtime.services.ServiceCompileCycle;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.lb.model.TrafficPolicy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The "node" of {@link AfXdpUplinkNodePortTest}: a child JVM started with {@code ip netns exec}
 * inside the node namespace, so that everything the fast path resolves by name (ifindex, the
 * interfaces' MACs under /sys/class/net, which a thread that only called setns(2) would still see
 * from the host's namespace) is the node's. It runs the product runtime with the pods' ports and
 * the uplink, a kernel listener on the node address (traffic the uplink must leave to the host),
 * and takes commands on stdin, answering one line each on stdout:
 *
 * <pre>
 *   service cluster|local|local-elsewhere   publish the NodePort Service with that policy → "ok"
 *   drops                                    → "drops no-local-endpoint=N total=N"
 *   queues                                   → "queues IF q0 rx=N tx=N, q1 rx=N tx=N, ..." (one per uplink RX queue)
 *   detach                                   detaches the uplink → "detached lent=N accounted=N of=N" (frames)
 *   attach                                   attaches it again → "attached <uplink description>"
 *   quit                                     closes the runtime, exits 0
 * </pre>
 *
 * Args: conntrackFile nodeIp podCidr uplinkIf listenerPort nodePort externalIp (ifname,podIp,podMac)...
 * (the Service also has {@code externalIp} as an externalIP, steered by the uplink's frontends map as compiled).
 * Prints {@code ready <uplink description>} once it serves. Test code only.
 */
public final class UplinkNodeProcess {
    static final int TARGET_PORT = 8080;
    /** A port of the NodePort range the host serves itself (like kube-proxy's health-check node ports). */
    static final int HEALTH_CHECK_PORT = 30099;

    private UplinkNodeProcess() {
    }

    public static void main(String[] args) throws Exception {
        final Path conntrack = Path.of(args[0]);
        final String nodeIp = args[1];
        final String podCidr = args[2];
        final String uplinkIf = args[3];
        final int listenerPort = Integer.parseInt(args[4]);
        final int nodePort = Integer.parseInt(args[5]);
        final String externalIp = args[6];
        final List<String[]> pods = new ArrayList<>();
        for (int i = 7; i < args.length; i++) {
            pods.add(args[i].split(","));
        }
        final ServiceCompileCycle cycle = new ServiceCompileCycle();
        try (FastpathRuntime runtime = FastpathRuntime.start(
                FastpathRuntimeConfig.small(conntrack).withFlow(NodeFlowSettings.of(nodeIp, podCidr)),
                tables -> new DesiredStateTables(tables, NodeSettings.of("node-a", nodeIp)), PipelineFactory.switching(), cycle);
             ServerSocket listener = new ServerSocket(listenerPort, 16, InetAddress.getByName(nodeIp));
             ServerSocket healthCheck = new ServerSocket(HEALTH_CHECK_PORT, 16, InetAddress.getByName(nodeIp))) {
            runtime.uplink().kernelPorts(List.of(HEALTH_CHECK_PORT)); // before the attach: applied by it
            // the externalIP is steered from the compiled Services (no CIDR flag): what the agent does with UplinkPort::follow
            cycle.alsoTell(compilation -> runtime.uplink().serviceFrontends(UplinkPort.externalFrontends(compilation.table())));
            final UplinkConfig uplinkConfig = UplinkConfig.parse(uplinkIf, List.of(nodeIp), null, List.of());
            // the uplink first, as the agent does at start before any CNI ADD: its queue 0 registers the UMEM and the
            // other queues share it on the same device; the pods then share it too (the re-attach in the test shares a pod's)
            runtime.attachUplink(uplinkConfig);
            for (String[] pod : pods) {
                runtime.control().attachPort(new PortAttachment(pod[0], Ipv4Address.parse(pod[1]), MacAddress.parse(pod[2]), pod[0]))
                        .get(10, TimeUnit.SECONDS);
            }
            final Thread kernelAnswers = answer(listener, "node kernel");
            final Thread healthCheckAnswers = answer(healthCheck, "node health check");
            System.out.println("ready " + runtime.uplink().describe());
            System.out.flush();
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                final String[] words = line.strip().split(" ");
                switch (words[0]) {
                    case "service" -> {
                        publish(runtime, cycle, words[1], nodePort, externalIp, pods);
                        System.out.println("ok");
                    }
                    case "drops" -> System.out.println("drops no-local-endpoint="
                            + runtime.worker().drops().get(DropReason.SERVICE_NO_LOCAL_ENDPOINT)
                            + " total=" + runtime.worker().drops().total()
                            + " worker-error=" + runtime.workerError());
                    case "queues" -> System.out.println("queues " + runtime.uplink().describeQueues());
                    case "detach" -> System.out.println("detached " + detach(runtime));
                    case "attach" -> System.out.println("attached " + runtime.attachUplink(uplinkConfig).describe());
                    case "quit" -> {
                        listener.close();
                        healthCheck.close();
                        kernelAnswers.join(1000);
                        healthCheckAnswers.join(1000);
                        return;
                    }
                    default -> System.out.println("error unknown command " + line);
                }
                System.out.flush();
            }
        } finally {
            Files.deleteIfExists(conntrack);
        }
    }

    /**
     * Detaches the uplink; answers {@code lent=N accounted=N of=N}: frames still marked lent to the
     * uplink's former queue slots (must be 0), and the pool's free plus every port's lent frames
     * against the UMEM's (must be equal: nothing lost with the uplink's sockets).
     */
    private static String detach(FastpathRuntime runtime) throws Exception {
        final int first = runtime.uplink().slot();
        final int queues = runtime.uplink().queueCount();
        runtime.detachUplink();
        final var factory = runtime.portFactory();
        return runtime.worker().call(() -> {
            int lent = 0;
            for (int q = 0; q < queues; q++) {
                lent += factory.loans().outstanding(first + q);
            }
            return "lent=" + lent + " accounted=" + (factory.pool().available() + factory.loans().outstandingTotal())
                    + " of=" + factory.pool().capacity();
        }).get(10, TimeUnit.SECONDS);
    }

    /** A kernel listener in the node namespace answering every connection with {@code line}. */
    private static Thread answer(ServerSocket server, String line) {
        return Thread.ofPlatform().daemon().name("node-listener-" + server.getLocalPort()).start(() -> {
            while (true) {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    private static void publish(FastpathRuntime runtime, ServiceCompileCycle cycle, String policy, int nodePort,
                                String externalIp, List<String[]> pods) throws Exception {
        final long compiled = cycle.compilations();
        final TrafficPolicy traffic = policy.equals("cluster") ? TrafficPolicy.CLUSTER : TrafficPolicy.LOCAL;
        final String endpointNode = policy.equals("local-elsewhere") ? "node-b" : "node-a";
        runtime.control().upsert(DesiredKind.LB_SERVICE, "default/web", Service.builder("default", "web").type(ServiceType.NODE_PORT)
                .clusterIPs("10.96.77.1").externalIPs(externalIp).externalTrafficPolicy(traffic)
                .port(new ServicePort("http", Protocol.TCP, 80, TargetPort.of(TARGET_PORT), nodePort)).build());
        runtime.control().upsert(DesiredKind.LB_ENDPOINT_SLICE, "default/web-1", new EndpointSlice("default", "web-1", "web",
                AddressType.IPV4, pods.stream().map(p -> Endpoint.of(p[1], EndpointConditions.READY, endpointNode)).toList(),
                List.of(EndpointPort.of("http", Protocol.TCP, TARGET_PORT)), Map.of()));
        runtime.control().barrier().get(10, TimeUnit.SECONDS);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cycle.compilations() == compiled && System.nanoTime() < deadlineNs) {
            Thread.sleep(10);
        }
        if (cycle.compilations() == compiled) {
            throw new IllegalStateException("the Service was not compiled within 10 s");
        }
    }
}
