package io.isthmus.slowpath.agent.health;

import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.services.NodeFlowSettings;
import io.isthmus.fastpath.runtime.services.ServiceCompileCycle;
import io.isthmus.slowpath.agent.AgentConfig;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.function.BooleanSupplier;

/**
 * The agent's Service glue, made from its configuration before the fast path starts:
 * <ul>
 *   <li>the runtime configuration whose flow settings carry the node's address (the first IPv4
 *       address of {@code config.node()}: SNAT address and {@code NODE} traffic source, and the
 *       SNAT pool's ports) and the node's pod CIDR ({@code config.podCidr()}: {@code CLUSTER_POD}
 *       sources);</li>
 *   <li>the {@link ServiceCompileCycle} the control agent runs after each cycle (compile, flush the
 *       UDP entries of backends gone, health checks);</li>
 *   <li>the {@link HealthCheckServers} it feeds, bound to the node address (the wildcard address
 *       when none is configured), 503 once the fast path's worker has failed.</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> made and closed by the agent's owning thread; {@link #proxyHealthy} is
 * set once after the fast path started (volatile), read by HTTP threads.
 */
public final class NodeServices implements AutoCloseable {
    private final FastpathRuntimeConfig runtimeConfig;
    private final HealthCheckServers healthChecks;
    private final ServiceCompileCycle compileCycle;
    private volatile BooleanSupplier proxyHealthy = () -> true;

    private NodeServices(FastpathRuntimeConfig runtimeConfig, InetAddress bindAddress) {
        this.runtimeConfig = runtimeConfig;
        this.healthChecks = new HealthCheckServers(bindAddress, () -> proxyHealthy.getAsBoolean());
        this.compileCycle = new ServiceCompileCycle(healthChecks);
    }

    /** @throws IllegalArgumentException naming a node address that is not an IP address */
    public static NodeServices forAgent(AgentConfig config) {
        FastpathRuntimeConfig runtime = config.runtime();
        if (runtime.flow() != null) {
            runtime = runtime.withFlow(NodeFlowSettings.forNode(runtime.flow(), config.node().nodeAddresses(),
                    config.podCidr().network(), config.podCidr().prefixLength()));
        }
        InetAddress bind = new InetSocketAddress(0).getAddress();
        for (String address : config.node().nodeAddresses()) {
            if (address.indexOf(':') < 0) {
                try {
                    bind = InetAddress.getByName(address);
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("node address '" + address + "' is not an IP address", e);
                }
                break;
            }
        }
        return new NodeServices(runtime, bind);
    }

    /** The fast path's configuration, with the node's flow settings. */
    public FastpathRuntimeConfig runtimeConfig() {
        return runtimeConfig;
    }

    public ServiceCompileCycle compileCycle() {
        return compileCycle;
    }

    public HealthCheckServers healthChecks() {
        return healthChecks;
    }

    /** What the health-check ports report as {@code serviceProxyHealthy}. */
    public void proxyHealthy(BooleanSupplier healthy) {
        this.proxyHealthy = healthy;
    }

    @Override
    public void close() {
        healthChecks.close();
    }
}
