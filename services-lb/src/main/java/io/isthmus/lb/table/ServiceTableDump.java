package io.isthmus.lb.table;

import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_AFFINITY_CLIENT_IP;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_CLUSTER_IP;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_EXTERNAL_IP;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_EXTERNAL_POLICY_LOCAL;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_INTERNAL_POLICY_LOCAL;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_LOAD_BALANCER;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_NODE_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_SOURCE_RANGES;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A service table as stable, human-readable text: one line per frontend (sorted by key), one
 * indented line per backend slot. For golden-file tests and for a future
 * {@code isthmus services dump}. Slow path only (allocates freely).
 *
 * <pre>
 * 10.96.0.10:80/TCP cluster-ip affinity=10800s cluster=1..2 local=0 M=251
 *   1 10.244.1.2:8080 cluster
 * </pre>
 */
public final class ServiceTableDump {

    private ServiceTableDump() {
    }

    public static String dump(ServiceTable table) {
        List<FrontendKey> keys = new ArrayList<>(table.frontendKeys());
        keys.sort(Comparator.comparing(FrontendKey::toString));
        StringBuilder out = new StringBuilder();
        for (FrontendKey key : keys) {
            int f = table.findFrontend(key);
            int flags = table.flags(f);
            out.append(key).append(' ').append(kind(flags));
            if ((flags & FLAG_AFFINITY_CLIENT_IP) != 0) {
                out.append(" affinity=").append(table.affinityTimeoutSeconds(f)).append('s');
            }
            if ((flags & FLAG_INTERNAL_POLICY_LOCAL) != 0) {
                out.append(" itp=local");
            }
            if ((flags & FLAG_EXTERNAL_POLICY_LOCAL) != 0) {
                out.append(" etp=local");
            }
            if ((flags & FLAG_SOURCE_RANGES) != 0) {
                out.append(" source-ranges");
            }
            int clusterCount = table.clusterBackendCount(f);
            if (clusterCount == 0) {
                out.append(" no-endpoints=REJECT\n");
                continue;
            }
            out.append(" cluster=").append(clusterCount).append(" local=").append(table.localBackendCount(f))
                    .append(" M=").append(table.maglevSize(f)).append(table.isCompact(f) ? " compact" : table.isPaired(f) ? " paired" : "").append('\n');
            for (BackendView b : table.backends(f)) {
                out.append("  ").append(b.slot()).append(' ').append(b).append('\n');
            }
        }
        return out.toString();
    }

    private static String kind(int flags) {
        if ((flags & FLAG_CLUSTER_IP) != 0) {
            return "cluster-ip";
        }
        if ((flags & FLAG_NODE_PORT) != 0) {
            return "node-port";
        }
        if ((flags & FLAG_EXTERNAL_IP) != 0) {
            return "external-ip";
        }
        if ((flags & FLAG_LOAD_BALANCER) != 0) {
            return "load-balancer";
        }
        return "unknown";
    }
}
