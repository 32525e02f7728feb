package io.isthmus.fastpath.stage;

import io.isthmus.dns.zone.Zone;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.punt.PuntQueue;

/**
 * What the {@link DnsStage} of a worker needs: the cluster DNS Service address it answers for,
 * the published zone generation, and the worker's punt queue (for names outside the cluster).
 *
 * @param serviceIp   the cluster DNS Service IPv4 address (e.g. 10.96.0.10), network order as an int
 * @param servicePort its UDP port (53)
 * @param zone        the published zone; while it holds {@code null}, queries pass untouched
 * @param punts       where queries for names outside the cluster domain go; {@code null}: they
 *                    pass untouched to their destination (no forwarder on this node)
 */
public record DnsStageSettings(int serviceIp, int servicePort, Published<Zone> zone, PuntQueue punts) {
    public DnsStageSettings {
        if (servicePort <= 0 || servicePort > 65535) {
            throw new IllegalArgumentException("cluster DNS port " + servicePort + " outside 1..65535");
        }
        if (zone == null) {
            throw new IllegalArgumentException("the DNS stage needs the published zone (it may hold null)");
        }
    }
}
