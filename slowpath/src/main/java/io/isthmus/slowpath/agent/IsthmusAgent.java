package io.isthmus.slowpath.agent;

import io.isthmus.fastpath.control.aeron.AeronFastpathControl;
import io.isthmus.fastpath.control.aeron.ControlEventListener;
import io.isthmus.fastpath.runtime.FastpathRuntime;
import io.isthmus.fastpath.runtime.PipelineFactory;
import io.isthmus.slowpath.agent.dns.AgentDns;
import io.isthmus.slowpath.agent.dns.ClusterDnsOnHost;
import io.isthmus.slowpath.agent.host.HostPort;
import io.isthmus.slowpath.agent.health.NodeServices;
import io.isthmus.slowpath.cni.CniHandler;
import io.isthmus.slowpath.cni.CniServer;
import io.isthmus.slowpath.cni.ControlFastpathPorts;
import io.isthmus.slowpath.cni.IpamStore;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import io.isthmus.slowpath.cni.PodReattachment;
import io.isthmus.slowpath.cni.NetlinkPodNetworkBackend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One node's agent in one JVM ({@code isthmus agent}):
 *
 * <pre>
 *   container runtime ─▶ cni-shim ─▶ CniServer (unix socket) ─▶ netlink (veth, /32, routes)
 *                                         └─ ControlFastpathPorts ─┐
 *   SlowPath (reconcilers) ─────────── AeronFastpathControl ───────┤  Aeron IPC (embedded driver)
 *                                                                  ▼
 *                                  FastpathService: AeronControlServer ─▶ FastpathRuntime
 *   /metrics (loopback) ◀─ FastpathMetrics ◀─ counters, tables, ReconcileLatency
 *   cluster DNS (AgentDns): worker's DnsStage ─ punts ─▶ dns-forwarder thread ─ injects ─▶ worker
 *   host port (HostPort): isthmus0 ═ veth ═ isthmus0fp ─ attached as the fast path's HOST port;
 *       pod CIDR route on the host; DNS over TCP served on the cluster DNS address (ClusterDnsOnHost)
 * </pre>
 *
 * The CNI server and the slow path each have their own control client, so the slow path can be
 * restarted ({@link #restartSlowPath()}) while pods keep being added and traffic keeps flowing.
 *
 * <p><b>Thread-safety:</b> start, {@link #restartSlowPath()} and close from the owning thread.
 */
public final class IsthmusAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IsthmusAgent.class.getName());

    private final AgentConfig config;
    private final FastpathService fastpath;
    private final AeronFastpathControl cniControl;
    private final CniServer cni;
    private final MetricsServer metrics;
    private final ReconcileLatency reconcileLatency;
    private final SlowPath slowPath;
    private final NodeServices services;
    private final AgentDns dns;
    private final HostPort hostPort;
    private final ClusterDnsOnHost dnsOnHost;
    private AeronFastpathControl slowPathControl;

    private IsthmusAgent(AgentConfig config, FastpathService fastpath, AeronFastpathControl cniControl, CniServer cni,
                         MetricsServer metrics, ReconcileLatency reconcileLatency, SlowPath slowPath, NodeServices services,
                         AgentDns dns, HostPort hostPort, ClusterDnsOnHost dnsOnHost) {
        this.config = config;
        this.fastpath = fastpath;
        this.cniControl = cniControl;
        this.cni = cni;
        this.metrics = metrics;
        this.reconcileLatency = reconcileLatency;
        this.slowPath = slowPath;
        this.services = services;
        this.dns = dns;
        this.hostPort = hostPort;
        this.dnsOnHost = dnsOnHost;
    }

    /** Starts the fast path, the CNI server, /metrics and the slow path, in that order; undoes it all on failure. */
    public static IsthmusAgent start(AgentConfig config, SlowPath slowPath, ReconcileLatency reconcileLatency) throws Exception {
        final List<AutoCloseable> made = new ArrayList<>();
        try {
            final NodeServices services = NodeServices.forAgent(config); // node address, pod CIDR, health-check ports
            made.add(services);
            final AgentDns dns = config.clusterDns() == null ? null : new AgentDns(config.clusterDns());
            if (dns != null) {
                made.add(dns); // its queues are freed after the fast path stopped
            }
            final FastpathService fastpath = FastpathService.start(services.runtimeConfig(), config.aeronDirectory(), config.node(),
                    services.compileCycle(), dns == null ? PipelineFactory.switching() : dns.pipelines());
            made.add(fastpath);
            if (dns != null) {
                dns.startForwarder();
                made.add(dns::stopForwarder);
            }
            services.proxyHealthy(() -> fastpath.runtime().workerError() == null);
            final AeronFastpathControl cniControl = AeronFastpathControl.connect(fastpath.aeronDirectory(), Duration.ofSeconds(10),
                    ControlEventListener.NONE);
            made.add(cniControl);
            HostPort hostPort = null;
            ClusterDnsOnHost dnsOnHost = null;
            if (config.hostPort() != null) {
                hostPort = HostPort.create(config.hostPort(), config.podCidr(), nodeAddress(config),
                        dns == null ? List.of() : List.of(Ipv4Cidr.parseAddress(dns.config().serviceIp())), cniControl, config.portTimeout());
                made.add(hostPort);
                if (dns != null) {
                    try {
                        dnsOnHost = ClusterDnsOnHost.start(Ipv4Cidr.parseAddress(dns.config().serviceIp()), dns.config().servicePort(),
                                fastpath.runtime().tables().dnsZone(), dns.upstreamsOverTcp());
                        made.add(dnsOnHost);
                    } catch (java.io.IOException | RuntimeException e) { // e.g. a DNS server of the machine holds *:53: the rest still works
                        LOG.log(System.Logger.Level.WARNING, "DNS over TCP on " + dns.config().serviceIp() + ":" + dns.config().servicePort()
                                + " is not served (pods' TCP queries will not be answered): " + e.getMessage());
                    }
                }
            }
            final ControlFastpathPorts ports = new ControlFastpathPorts(cniControl, config.portTimeout(),
                    () -> fastpath.runtime().workerError() == null ? Optional.empty()
                            : Optional.of("the fast path's worker failed: " + fastpath.runtime().workerError()));
            final IpamStore ipam = new IpamStore(config.ipamDirectory(), config.podCidr());
            final List<String> reattached = PodReattachment.reattach(ipam, ports, System.err); // pods of an earlier agent
            if (!reattached.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "re-attached " + reattached.size() + " pod interfaces of an earlier agent: " + reattached);
            }
            final CniServer cni = CniServer.start(config.cniSocket(), new CniHandler(ipam, new NetlinkPodNetworkBackend(ports)));
            made.add(cni);
            MetricsServer metrics = null;
            if (config.metricsPort() >= 0) {
                final FastpathMetrics exposition = new FastpathMetrics(fastpath.runtime(), reconcileLatency);
                metrics = MetricsServer.start(config.metricsPort(), exposition::scrape);
                made.add(metrics);
            }
            final IsthmusAgent agent = new IsthmusAgent(config, fastpath, cniControl, cni, metrics, reconcileLatency, slowPath, services, dns,
                    hostPort, dnsOnHost);
            agent.connectSlowPath();
            return agent;
        } catch (Exception e) {
            for (AutoCloseable step : made.reversed()) {
                try {
                    step.close();
                } catch (Exception closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
    }

    /**
     * The host port's preferred source: the node's first IPv4 address that is not loopback (a
     * loopback source never leaves the host); {@link HostPort#FALLBACK_NODE_ADDRESS} when the node
     * has only a loopback address (a machine without a default route); required with a host port.
     */
    private static java.net.Inet4Address nodeAddress(AgentConfig config) {
        boolean loopbackOnly = false;
        for (String address : config.node().nodeAddresses()) {
            try {
                final java.net.Inet4Address parsed = Ipv4Cidr.parseAddress(address);
                if (!parsed.isLoopbackAddress()) {
                    return parsed;
                }
                loopbackOnly = true;
            } catch (IllegalArgumentException notIpv4) {
                // an IPv6 node address: the host port routes IPv4 only
            }
        }
        if (loopbackOnly) {
            LOG.log(System.Logger.Level.WARNING, "the node address is loopback; the host port " + config.hostPort().hostIfName()
                    + " uses " + HostPort.FALLBACK_NODE_ADDRESS.getHostAddress() + " as the node's source towards pods");
            return HostPort.FALLBACK_NODE_ADDRESS;
        }
        throw new IllegalArgumentException("the host port " + config.hostPort().hostIfName()
                + " needs an IPv4 node address (--node-ip): it is the source pods see the node as");
    }

    private void connectSlowPath() throws Exception {
        slowPathControl = AeronFastpathControl.connect(fastpath.aeronDirectory(), Duration.ofSeconds(10), ControlEventListener.NONE);
        slowPath.start(slowPathControl);
    }

    /**
     * Stops the slow path, drops its control connection, connects anew and starts it again (it
     * resynchronises). The fast path, its ports and conntrack are untouched throughout.
     */
    public void restartSlowPath() throws Exception {
        slowPath.stop();
        slowPathControl.close();
        connectSlowPath();
    }

    public FastpathRuntime runtime() {
        return fastpath.runtime();
    }

    public FastpathService fastpath() {
        return fastpath;
    }

    public AgentConfig config() {
        return config;
    }

    /** The slow path's current control connection. */
    public AeronFastpathControl slowPathControl() {
        return slowPathControl;
    }

    /** The Service glue: compile cycle (UDP flushes) and health-check node ports. */
    public NodeServices services() {
        return services;
    }

    public CniServer cni() {
        return cni;
    }

    /** The /metrics server, or null when disabled. */
    public MetricsServer metrics() {
        return metrics;
    }

    /** The cluster DNS (forwarder counters, queues), or null when the configuration has none. */
    public AgentDns dns() {
        return dns;
    }

    /** The node's port on the fast path, or null when the configuration has none. */
    public HostPort hostPort() {
        return hostPort;
    }

    /** The cluster zone served on the cluster DNS address on the host (DNS over TCP), or null. */
    public ClusterDnsOnHost dnsOnHost() {
        return dnsOnHost;
    }

    public ReconcileLatency reconcileLatency() {
        return reconcileLatency;
    }

    /**
     * Stops the slow path, the CNI server, /metrics, DNS on the host, the host port (detached, veth
     * deleted), the DNS forwarder, then the fast path (ports detached, driver directory deleted).
     */
    @Override
    public void close() {
        final IllegalStateException failure = new IllegalStateException("stopping the agent failed");
        final List<AutoCloseable> steps = new ArrayList<>();
        steps.add(slowPath::stop);
        steps.add(slowPathControl);
        steps.add(cni);
        if (metrics != null) {
            steps.add(metrics);
        }
        if (dnsOnHost != null) {
            steps.add(dnsOnHost);
        }
        if (hostPort != null) {
            steps.add(hostPort); // detached over cniControl, then the veth deleted
        }
        steps.add(cniControl);
        if (dns != null) {
            steps.add(dns::stopForwarder);
        }
        steps.add(fastpath);
        if (dns != null) {
            steps.add(dns); // the queues, once the worker stopped
        }
        steps.add(services);
        for (AutoCloseable step : steps) {
            try {
                step.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
        if (failure.getSuppressed().length != 0) {
            throw failure;
        }
    }
}
