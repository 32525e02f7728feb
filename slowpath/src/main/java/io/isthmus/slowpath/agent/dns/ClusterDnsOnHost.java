package io.isthmus.slowpath.agent.dns;

import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;
import io.isthmus.fastpath.control.Published;
import io.isthmus.slowpath.dns.DnsServer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The cluster zone served on the cluster DNS address itself, in the node's namespace: what a pod's
 * TCP query reaches (after a truncated UDP answer, RFC 7766), since the fast path answers only UDP
 * inline and routes everything else for that address out of the host port, where the host end
 * carries the address. Host processes can ask it over UDP too.
 *
 * <pre>
 *   pod ─UDP 53─▶ fast path: DnsStage answers inline (TC=1 when the answer is too long)
 *   pod ─TCP 53─▶ fast path: no pod /32 ─▶ host port ─▶ isthmus0 (DNS-IP/32) ─▶ this DnsServer
 *                                                    zone: the fast path's published generation
 * </pre>
 *
 * The zone is the one the fast path publishes ({@code FastpathTables.dnsZone()}); a follower
 * thread hands each new generation to the server (an empty zone before the first one). TCP
 * queries for names outside the cluster domain are relayed to the upstream nameservers over TCP
 * ({@link UpstreamTcpResolver}); over UDP (host processes only) they are REFUSED.
 *
 * <p><b>Thread-safety:</b> started and closed by the agent's owning thread; the follower thread
 * only reads the published reference (acquire) and swaps the server's zone (volatile).
 */
public final class ClusterDnsOnHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterDnsOnHost.class.getName());

    private final DnsServer server;
    private final AgentRunner follower;

    private ClusterDnsOnHost(DnsServer server, AgentRunner follower) {
        this.server = server;
        this.follower = follower;
    }

    /**
     * Binds UDP and TCP on {@code address:port} (the address must be local) and follows {@code zones};
     * TCP queries for names outside the cluster go to {@code outsideZone} (null: REFUSED).
     */
    public static ClusterDnsOnHost start(InetAddress address, int port, Published<Zone> zones, DnsServer.OutsideZone outsideZone)
            throws IOException {
        final Zone first = zones.current();
        final DnsServer server = DnsServer.start(first != null ? first : new ZoneBuilder(ZoneSettings.defaults()).build(),
                new InetSocketAddress(address, port), DnsServer.Options.defaults().withUdpThreads(1), outsideZone);
        final AgentRunner follower = new AgentRunner(new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(100),
                TimeUnit.MILLISECONDS.toNanos(20)), error -> LOG.log(System.Logger.Level.ERROR, "dns-on-host zone follower failed", error),
                (AtomicCounter) null, new ZoneFollower(zones, server, first));
        AgentRunner.startOnThread(follower);
        return new ClusterDnsOnHost(server, follower);
    }

    /** The address and port served (UDP and TCP). */
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        try {
            follower.close();
        } finally {
            server.close();
        }
    }

    /** Hands each newly published zone to the server. */
    private static final class ZoneFollower implements Agent {
        private final Published<Zone> zones;
        private final DnsServer server;
        private Zone served;

        ZoneFollower(Published<Zone> zones, DnsServer server, Zone served) {
            this.zones = zones;
            this.server = server;
            this.served = served;
        }

        @Override
        public int doWork() {
            final Zone latest = zones.current();
            if (latest == null || latest == served) {
                return 0;
            }
            server.zone(latest);
            served = latest;
            return 1;
        }

        @Override
        public String roleName() {
            return "dns-zone-follower";
        }
    }
}
