package io.isthmus.slowpath.agent;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.runtime.DesiredRecords;
import io.isthmus.fastpath.runtime.FastpathRuntime;
import io.isthmus.fastpath.runtime.PortManager;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.policy.compile.PolicySnapshot;

import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * The node's metrics in Prometheus text: per-port packet counters, drops by reason, table sizes
 * (conntrack entries, Services, policies, desired records), control-channel failures and the slow
 * path's reconcile latency histogram. Read at scrape time from counters the fast path publishes
 * with release stores; nothing here touches a worker.
 *
 * <p><b>Thread-safety:</b> {@link #scrape()} from any thread (the HTTP server's).
 */
public final class FastpathMetrics {
    private final FastpathRuntime runtime;
    private final ReconcileLatency reconcileLatency;

    public FastpathMetrics(FastpathRuntime runtime, ReconcileLatency reconcileLatency) {
        this.runtime = runtime;
        this.reconcileLatency = reconcileLatency;
    }

    /** The whole exposition. */
    public String scrape() {
        final PrometheusText text = new PrometheusText();
        ports(text);
        drops(text);
        tables(text);
        reconcile(text);
        return text.toString();
    }

    private void ports(PrometheusText text) {
        text.family("isthmus_ports_attached", "gauge", "Pod interfaces the fast path switches now.")
                .sample("isthmus_ports_attached", runtime.ports().attached().stream()
                        .filter(port -> port.attachment().kind() == io.isthmus.fastpath.pipeline.PortKind.POD).count());
        for (PortCounters.Counter counter : PortCounters.Counter.values()) {
            final String name = "isthmus_port_" + counter.name().toLowerCase(Locale.ROOT) + "_total";
            text.family(name, "counter", "Per-port " + counter.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ".");
            for (PortManager.AttachedPort attached : runtime.ports().attached()) {
                final Port port = runtime.worker().portAt(attached.slot());
                text.sample(name, port.counters().get(counter), "interface", attached.attachment().hostIfName(),
                        "pod", attached.attachment().podKey() == null ? "" : attached.attachment().podKey(),
                        "slot", Integer.toString(attached.slot()));
            }
            final io.isthmus.fastpath.uplink.UplinkConfig uplink = runtime.uplink().attached();
            final int uplinkSlot = runtime.uplink().slot();
            if (uplink != null && uplinkSlot >= 0) { // the node's NIC (isthmus agent --uplink): pod label empty, one sample per RX queue
                for (int queue = 0; queue < runtime.uplink().queueCount(); queue++) {
                    text.sample(name, runtime.worker().portAt(uplinkSlot + queue).counters().get(counter), "interface", uplink.interfaceName(),
                            "pod", "", "slot", Integer.toString(uplinkSlot + queue), "queue", Integer.toString(queue));
                }
            }
        }
    }

    private void drops(PrometheusText text) {
        text.family("isthmus_drops_total", "counter", "Packets the fast path dropped, by reason.");
        for (DropReason reason : DropReason.values()) {
            if (reason.id() > 0) {
                text.sample("isthmus_drops_total", runtime.worker().drops().get(reason), "reason", reason.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    private void tables(PrometheusText text) {
        final ConntrackTable conntrack = runtime.conntrack();
        text.family("isthmus_conntrack_entries", "gauge", "Connections in the conntrack table.")
                .sample("isthmus_conntrack_entries", conntrack.size());
        text.family("isthmus_conntrack_capacity", "gauge", "Connections the conntrack table can hold.")
                .sample("isthmus_conntrack_capacity", conntrack.capacity());
        final ServiceTable services = runtime.tables().services().current();
        text.family("isthmus_service_frontends", "gauge", "Service frontends (VIP, port, protocol) in the published table.")
                .sample("isthmus_service_frontends", services == null ? 0 : services.frontendCount());
        final PolicySnapshot policies = runtime.tables().policies().current();
        text.family("isthmus_table_generation", "gauge", "Generation of each published table (0: none yet).")
                .sample("isthmus_table_generation", runtime.tables().routes().current().generation(), "table", "routes")
                .sample("isthmus_table_generation", services == null ? 0 : services.generation(), "table", "services")
                .sample("isthmus_table_generation", policies == null ? 0 : policies.generation(), "table", "policies");
        final ToIntFunction<DesiredKind> records = switch (runtime.desired()) {
            case DesiredStateTables compiler -> compiler::recordCount;
            case DesiredRecords store -> store::count;
            default -> null;
        };
        if (records != null) {
            text.family("isthmus_desired_records", "gauge", "Desired records the slow path announced, by kind.");
            for (DesiredKind kind : DesiredKind.values()) {
                text.sample("isthmus_desired_records", records.applyAsInt(kind), "kind", kind.name().toLowerCase(Locale.ROOT));
            }
            text.family("isthmus_services", "gauge", "Services the slow path announced.")
                    .sample("isthmus_services", records.applyAsInt(DesiredKind.LB_SERVICE));
            text.family("isthmus_policies", "gauge", "NetworkPolicies the slow path announced.")
                    .sample("isthmus_policies", records.applyAsInt(DesiredKind.POLICY));
        }
        text.family("isthmus_control_failed_requests_total", "counter", "Control requests the fast path could not apply.")
                .sample("isthmus_control_failed_requests_total", runtime.failedControlRequests());
    }

    private void reconcile(PrometheusText text) {
        final String name = "isthmus_reconcile_latency_seconds";
        text.family(name, "histogram", "Time from a change seen by the slow path to its records sent to the fast path.");
        long cumulative = 0;
        for (int i = 0; i < ReconcileLatency.BUCKET_BOUNDS_SECONDS.length; i++) {
            cumulative += reconcileLatency.bucketCount(i);
            text.sample(name + "_bucket", cumulative, "le", Double.toString(ReconcileLatency.BUCKET_BOUNDS_SECONDS[i]));
        }
        cumulative += reconcileLatency.bucketCount(ReconcileLatency.BUCKET_BOUNDS_SECONDS.length);
        text.sample(name + "_bucket", cumulative, "le", "+Inf");
        text.sample(name + "_sum", reconcileLatency.sumSeconds());
        text.sample(name + "_count", reconcileLatency.count());
    }
}
