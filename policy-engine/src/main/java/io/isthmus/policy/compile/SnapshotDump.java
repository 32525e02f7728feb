package io.isthmus.policy.compile;

import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A snapshot as sorted text, one decision per line, with identities by meaning rather than
 * number ({@code pod shop{team=a} {app=web} | ingress pod data {app=db} TCP 5432}), so that two
 * compilers fed the same objects by different routes produce the same text. Used by the
 * incremental = full property test and for debugging.
 *
 * <p><b>Thread-safety:</b> reads an immutable snapshot, but the identity names and port sets come
 * from the compiler: call it on the compiler's thread.
 */
final class SnapshotDump {
    private SnapshotDump() {
    }

    static String dump(PolicySnapshot snapshot, IntFunction<String> identityName, PortSetPool portSets, Collection<PodInfo> pods) {
        final List<String> lines = new ArrayList<>();
        for (int id = IdentityRegistry.FIRST_ID; id < snapshot.identityCapacity(); id++) {
            final VerdictTable table = snapshot.table(id);
            if (table == null) {
                continue;
            }
            final String local = identityName.apply(id);
            for (int d = 0; d < 2; d++) {
                final String direction = Direction.values()[d].lowerName();
                if (!table.isolated(d)) {
                    lines.add(local + " | " + direction + " open");
                    continue;
                }
                for (int p = 0; p < Protocol.COUNT; p++) {
                    lines.add(local + " | " + direction + " any " + Protocol.values()[p] + " " + portSets.describe(table.anyRemote(d, p)));
                }
                for (int slot = 0; slot < table.capacity(d); slot++) {
                    final int key = table.keyAt(d, slot);
                    if (key != VerdictTable.EMPTY_KEY) {
                        lines.add(local + " | " + direction + " " + identityName.apply(key >>> 2) + " "
                                + Protocol.values()[key & 3] + " " + portSets.describe(table.setAt(d, slot)));
                    }
                }
            }
        }
        for (PodInfo pod : pods) {
            for (IpAddress address : pod.addresses()) {
                final int ref = address.ipv6() ? snapshot.refOfIpv6(address.high(), address.low()) : snapshot.refOfIpv4(address.ipv4Bits());
                lines.add("address " + address + " -> " + identityName.apply(PolicySnapshot.identityOf(ref))
                        + (PolicySnapshot.isLocal(ref) ? " local" : ""));
            }
        }
        lines.sort(Comparator.naturalOrder());
        return String.join("\n", lines);
    }
}
