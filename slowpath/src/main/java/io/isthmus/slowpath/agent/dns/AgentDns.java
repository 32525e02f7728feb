package io.isthmus.slowpath.agent.dns;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.punt.InjectQueue;
import io.isthmus.fastpath.punt.PuntChannel;
import io.isthmus.fastpath.punt.PuntQueue;
import io.isthmus.fastpath.runtime.PipelineFactory;
import io.isthmus.slowpath.dns.DnsForwarder;
import io.isthmus.slowpath.dns.DnsForwarderSettings;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cluster DNS on an agent's node: the worker's pipeline answers the cluster DNS Service inline from
 * the published zone ({@link #pipelines()}), punts other names into a {@link PuntChannel}, and a
 * {@link DnsForwarder} on its own agent thread ({@link #startForwarder()}) asks the upstream
 * nameservers and injects the replies back through the worker.
 *
 * <pre>
 *   pod ─▶ worker: DnsStage ─ zone hit ─▶ reply inline
 *                     └ other names ─▶ punts ─▶ dns-forwarder thread ─▶ upstream (resolv.conf)
 *   pod ◀─ worker: injects.transmitInto ◀─────────── injects ◀──┘
 * </pre>
 *
 * Order: make it, start the fast path with {@link #pipelines()}, {@link #startForwarder()};
 * {@link #stopForwarder()} before the fast path closes, {@link #close()} (the queues) after.
 *
 * <p><b>Thread-safety:</b> lifecycle calls from the agent's owning thread; the queues follow
 * {@link PuntChannel}'s rules (the worker produces punts and consumes injects, the forwarder the reverse).
 */
public final class AgentDns implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AgentDns.class.getName());

    private final ClusterDnsConfig config;
    private final PuntChannel channel;
    private final AtomicReference<Throwable> forwarderError = new AtomicReference<>();
    private DnsForwarder forwarder;
    private AgentRunner runner;

    public AgentDns(ClusterDnsConfig config) {
        this.config = config;
        final PuntQueue punts = new PuntQueue();
        try {
            this.channel = new PuntChannel(punts, new InjectQueue());
        } catch (RuntimeException e) {
            punts.close();
            throw e;
        }
    }

    /** The runtime's pipelines: the switching pipeline with the DNS stage over this node's channel. */
    public PipelineFactory pipelines() {
        return PipelineFactory.switchingWithDns(Ipv4Address.parse(config.serviceIp()), config.servicePort(), channel);
    }

    /** Reads the upstream resolv.conf and starts the forwarder thread; throws naming the file when it cannot. */
    public void startForwarder() throws IOException {
        final DnsForwarderSettings settings;
        try {
            settings = DnsForwarderSettings.fromResolvConf(config.upstreamResolvConf());
        } catch (IOException | RuntimeException e) {
            throw new IOException("cluster DNS upstreams from " + config.upstreamResolvConf() + ": " + e.getMessage(), e);
        }
        forwarder = new DnsForwarder(settings, List.of(channel), new SystemNanoClock());
        runner = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000L, 1_000_000L), error -> {
            forwarderError.compareAndSet(null, error);
            LOG.log(System.Logger.Level.ERROR, "dns forwarder failed", error);
        }, (AtomicCounter) null, forwarder);
        AgentRunner.startOnThread(runner);
    }

    /** Names outside the cluster asked over TCP: relayed to the same upstreams over TCP, 2 s each. */
    public UpstreamTcpResolver upstreamsOverTcp() throws IOException {
        try {
            return new UpstreamTcpResolver(DnsForwarderSettings.fromResolvConf(config.upstreamResolvConf()).upstreams(),
                    java.time.Duration.ofSeconds(2));
        } catch (IOException | RuntimeException e) {
            throw new IOException("cluster DNS upstreams from " + config.upstreamResolvConf() + ": " + e.getMessage(), e);
        }
    }

    /** Stops the forwarder thread (its upstream socket closed); the queues stay until {@link #close()}. */
    public void stopForwarder() {
        if (runner != null) {
            runner.close();
            runner = null;
        }
    }

    public ClusterDnsConfig config() {
        return config;
    }

    public PuntChannel channel() {
        return channel;
    }

    /** The running forwarder (counters), or null before {@link #startForwarder()}. */
    public DnsForwarder forwarder() {
        return forwarder;
    }

    /** The first error the forwarder's duty cycle threw, or null. */
    public Throwable forwarderError() {
        return forwarderError.get();
    }

    /** Stops the forwarder if still running, then frees both queues (after the worker stopped). */
    @Override
    public void close() {
        stopForwarder();
        try {
            channel.punts().close();
        } finally {
            channel.injects().close();
        }
    }
}
