package io.isthmus.lb.compile;

import io.isthmus.lb.affinity.AffinityTable;
import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.table.ServiceDecision;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceVerdict;
import io.isthmus.lb.table.TrafficSource;
import java.util.Set;
import java.util.TreeSet;

/** Sends test flows through {@link ServiceTable#decideNewFlow} as the fast path would. */
final class FlowProbe {

    final ServiceDecision decision = new ServiceDecision();
    private final ServiceTable table;
    private final AffinityTable affinity;

    FlowProbe(ServiceTable table, AffinityTable affinity) {
        this.table = table;
        this.affinity = affinity;
    }

    FlowProbe(ServiceTable table) {
        this(table, null);
    }

    ServiceVerdict send(String dst, int port, Protocol protocol, String src, int flowHash, TrafficSource source, long nowNs) {
        IpAddress d = IpAddress.parse(dst);
        IpAddress s = IpAddress.parse(src);
        return table.decideNewFlow(d.hi(), d.lo(), port, protocol.ipProtocolNumber(), s.hi(), s.lo(), flowHash, source, nowNs, affinity, decision);
    }

    ServiceVerdict send(String dst, int port, Protocol protocol, String src, TrafficSource source) {
        return send(dst, port, protocol, src, 12345, source, 0);
    }

    String backend() {
        return new IpAddress(decision.backendAddressHi(), decision.backendAddressLo()) + ":" + decision.backendPort();
    }

    /** The backends reached by {@code flows} flows with different hashes, all FORWARDed. */
    Set<String> spread(String dst, int port, Protocol protocol, String src, TrafficSource source, int flows) {
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < flows; i++) {
            ServiceVerdict v = send(dst, port, protocol, src, i * 0x9e3779b9, source, 0);
            if (v != ServiceVerdict.FORWARD) {
                throw new AssertionError("flow " + i + " to " + dst + ":" + port + " got " + v);
            }
            seen.add(backend());
        }
        return seen;
    }
}
