package io.isthmus.slowpath.dns;

import io.isthmus.dns.zone.ServicePort;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.punt.InjectQueue;
import io.isthmus.fastpath.punt.PuntChannel;
import io.isthmus.fastpath.punt.PuntQueue;
import io.isthmus.fastpath.stage.DnsStageSettings;
import io.isthmus.fastpath.stage.SwitchingPipeline;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.xsk.AfXdpPortSet;
import io.isthmus.fastpath.xsk.XskConfig;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A pod resolves names through the real fast path: its eth0's host end is an AF_XDP port of a
 * worker running the switching pipeline with the DNS stage (cluster DNS 10.96.0.10:53); names
 * outside the cluster are punted to a {@link DnsForwarder} whose upstream is a fake resolver on
 * the host's loopback. {@code dig} runs inside the pod's namespace. Root + AF_XDP + dig only
 * (skipped visibly otherwise).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DnsThroughFastPathTest {
    private static final String CLUSTER_DNS = "10.96.0.10";

    @RegisterExtension
    final PodExtension pods = new PodExtension();
    private Pod pod;
    private FakeUpstream upstream;
    private DnsForwarder forwarder;
    private final AtomicReference<Throwable> agentError = new AtomicReference<>();

    @BeforeEach
    void podBehindTheFastPathWithTheForwarder() throws Exception {
        pod = pods.pod("10.212.0.2");
        assumeTrue(Shell.run(10, "dig", "-v").ok(), "dig (Debian bind9-dnsutils) is not installed");
        upstream = pods.closeLater(new FakeUpstream(query -> {
            final Message response = new Message(query.getHeader().getID());
            response.getHeader().setFlag(Flags.QR);
            response.getHeader().setFlag(Flags.RD);
            response.getHeader().setFlag(Flags.RA);
            response.addRecord(query.getQuestion(), Section.QUESTION);
            response.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, 120, InetAddress.ofLiteral("192.0.2.80")), Section.ANSWER);
            return response;
        }));

        final ZoneBuilder zone = new ZoneBuilder(new ZoneSettings("cluster.local", 30, 1));
        zone.addService(ServiceRecord.clusterIp("default", "web", List.of(InetAddress.ofLiteral("10.96.0.20")),
                List.of(new ServicePort("http", "TCP", 80))));
        zone.addService(ServiceRecord.clusterIp("kube-system", "kube-dns", List.of(InetAddress.ofLiteral(CLUSTER_DNS)),
                List.of(new ServicePort("dns", "UDP", 53))));

        final AfXdpPortSet ports = pods.closeLater(AfXdpPortSet.open(List.of(pod.hostInterface()), XskConfig.defaults()));
        final long switchMac = MacAddress.parse(Files.readString(Path.of("/sys/class/net", pod.hostInterface(), "address")).strip());
        final RouteTableRef routes = new RouteTableRef(RouteTable.builder(1).port(0, switchMac, Ipv4Address.parse(pod.ip())).build());
        final Port[] portArray = ports.asPorts().toArray(Port[]::new);
        final PipelineContext context = new PipelineContext(portArray, ports.pool(), routes, Worker.ARP_REQUEST_INTERVAL_NS);
        final PuntChannel channel = new PuntChannel(pods.closeLater(new PuntQueue()), pods.closeLater(new InjectQueue()));
        final Worker worker = new Worker("dns-fastpath", portArray, context, SwitchingPipeline.create(context,
                new DnsStageSettings(Ipv4Address.parse(CLUSTER_DNS), 53, new Published<Zone>(zone.build()), channel.punts())),
                new SystemNanoClock());
        // The worker's duty cycle as the runtime will run it: injected frames first, then RX → pipeline → flush.
        final Agent fastpath = new Agent() {
            @Override
            public int doWork() {
                return channel.injects().transmitInto(context, 64) + worker.doWork();
            }

            @Override
            public String roleName() {
                return "dns-fastpath";
            }
        };
        forwarder = new DnsForwarder(DnsForwarderSettings.of(List.of(upstream.address())), List.of(channel), new SystemNanoClock());
        // Closed in reverse order: the runners stop before the queues and the ports go away.
        pods.closeLater(start(forwarder));
        pods.closeLater(start(fastpath));
    }

    private AutoCloseable start(Agent agent) {
        final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), error -> agentError.compareAndSet(null, error),
                (AtomicCounter) null, agent);
        AgentRunner.startOnThread(runner);
        return runner::close;
    }

    private String dig(String... arguments) {
        final String[] command = new String[arguments.length + 4];
        command[0] = "dig";
        command[1] = "@" + CLUSTER_DNS;
        command[2] = "+tries=3";
        command[3] = "+time=2";
        System.arraycopy(arguments, 0, command, 4, arguments.length);
        final Shell.Result result = pod.exec(30, command);
        assertTrue(result.ok(), result.output());
        return result.output();
    }

    @Test
    void aServiceNameIsAnsweredInlineByTheFastPath() {
        final String output = dig("web.default.svc.cluster.local", "A");
        assertTrue(output.contains("status: NOERROR"), output);
        assertTrue(output.matches("(?s).*web\\.default\\.svc\\.cluster\\.local\\.\\s+30\\s+IN\\s+A\\s+10\\.96\\.0\\.20.*"), output);
        assertTrue(output.contains("flags: qr aa rd"), "authoritative, from the zone: " + output);
        assertEquals(0, upstream.queries().size(), "never sent upstream");
        assertNull(agentError.get());
    }

    @Test
    void searchPathProbesAreNxdomainAtOnce() {
        final String output = dig("www.example.com.default.svc.cluster.local", "A");
        assertTrue(output.contains("status: NXDOMAIN"), output);
        assertEquals(0, upstream.queries().size(), "a search-path probe never goes upstream");
    }

    @Test
    void namesOutsideTheClusterArePuntedForwardedAndCached() {
        final String first = dig("www.example.com", "A");
        assertTrue(first.contains("status: NOERROR"), first);
        assertTrue(first.matches("(?s).*www\\.example\\.com\\.\\s+\\d+\\s+IN\\s+A\\s+192\\.0\\.2\\.80.*"), first);
        assertEquals(1, upstream.queries().size());
        final String second = dig("WWW.EXAMPLE.COM", "A");
        assertTrue(second.contains("192.0.2.80"), second);
        assertEquals(1, upstream.queries().size(), "the second answer came from the forwarder's cache");
        assertEquals(1, forwarder.count(DnsForwarder.Counter.CACHE_HITS));
        assertNull(agentError.get());
    }
}
