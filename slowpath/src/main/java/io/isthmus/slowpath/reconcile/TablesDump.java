package io.isthmus.slowpath.reconcile;

import io.isthmus.dns.zone.ZoneDump;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.GenerationReclaimer;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceTableDump;

/**
 * The published tables of a {@link DesiredStateTables} as text, for golden tests and
 * {@code isthmus slowpath --control local --once}: the service table ({@link ServiceTableDump}),
 * the policy verdicts ({@code PolicyCompiler.dump}) and the cluster zone's Service names
 * ({@link ZoneDump}, lines under {@code .svc.} without SOA records).
 *
 * <p><b>Thread-safety:</b> call on the thread that owns the tables (the policy dump reads the
 * compiler's identity names).
 */
public final class TablesDump {

    private TablesDump() {
    }

    public static String of(DesiredStateTables desired) {
        final FastpathTables tables = desired.tables();
        final StringBuilder out = new StringBuilder("# services\n");
        try (GenerationReclaimer.Reader pin = tables.reclaimer().pin()) { // the table is not freed while dumped
            final ServiceTable services = tables.services().current();
            if (services != null) {
                out.append(ServiceTableDump.dump(services));
            }
        }
        out.append("# policy\n");
        if (tables.policies().current() != null) {
            out.append(desired.policyCompiler().dump(tables.policies().current())).append('\n');
        }
        out.append("# dns\n");
        if (tables.dnsZone().current() != null) {
            ZoneDump.lines(tables.dnsZone().current()).stream()
                    .filter(line -> line.contains(".svc.") && !line.contains(" SOA "))
                    .forEach(line -> out.append(line).append('\n'));
        }
        return out.toString();
    }
}
