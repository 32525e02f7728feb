package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.affinity.AffinityTable;
import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.maglev.MaglevTable;
import io.isthmus.lb.model.Protocol;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceTableTest {

    /** A table of {@code services} ClusterIP frontends 10.96.x.y:80/TCP, each with 3 backends. */
    static ServiceTable manyServices(int services, int flags) {
        ServiceTableBuilder b = new ServiceTableBuilder(1);
        for (int s = 0; s < services; s++) {
            List<BackendSlot> backends = new ArrayList<>();
            String[] names = new String[3];
            for (int i = 0; i < 3; i++) {
                IpAddress a = IpAddress.ofIpv4(0x0af4_0000 | s << 2 | i);
                backends.add(new BackendSlot(a, 8080, 0, s * 3 + i));
                names[i] = a + ":8080";
            }
            int[] entries = MaglevTable.build(names, 251);
            for (int i = 0; i < entries.length; i++) {
                entries[i] += 1;
            }
            int block = b.addMaglevBlock(entries, null);
            assertTrue(b.addFrontend(new FrontendKey(IpAddress.ofIpv4(0x0a60_0000 | s), 80, Protocol.TCP),
                    new FrontendSpec(ServiceTableDescriptor.FLAG_CLUSTER_IP | flags, 60, backends, 1, 3, 0, block, -1, s)));
        }
        return b.build();
    }

    @Test
    void everyFrontendIsFoundAndNothingElse() {
        ServiceTable t = manyServices(5_000, 0);
        for (int s = 0; s < 5_000; s++) {
            int f = t.findFrontend(0, IpAddress.ipv4Lo(0x0a60_0000 | s), 80, 6);
            assertTrue(f >= 0, "service " + s);
            assertEquals(s, t.servicePortId(f));
            assertEquals(-1, t.findFrontend(0, IpAddress.ipv4Lo(0x0a60_0000 | s), 80, 17), "UDP is another key");
            assertEquals(-1, t.findFrontend(0, IpAddress.ipv4Lo(0x0a60_0000 | s), 81, 6));
        }
        assertEquals(-1, t.findFrontend(0, IpAddress.ipv4Lo(0x0b00_0000), 80, 6));
        assertEquals(-1, t.findFrontend(1, IpAddress.ipv4Lo(0x0a60_0000), 80, 6), "an IPv6 address with the same low word");
    }

    @Test
    void duplicateKeysAreRefused() {
        ServiceTableBuilder b = new ServiceTableBuilder(1);
        FrontendKey k = new FrontendKey(IpAddress.parse("10.96.0.1"), 80, Protocol.TCP);
        FrontendSpec empty = new FrontendSpec(0, 0, List.of(), 1, 0, 0, -1, -1, 1);
        assertTrue(b.addFrontend(k, empty));
        assertFalse(b.addFrontend(k, empty));
    }

    @Test
    void decisionsAllocateNothing() {
        ServiceTable t = manyServices(1_000, 0);
        ServiceTable sticky = manyServices(10, ServiceTableDescriptor.FLAG_AFFINITY_CLIENT_IP);
        ServiceDecision out = new ServiceDecision();
        try (AffinityTable affinity = new AffinityTable(4096)) {
            Runnable work = () -> {
                for (int i = 0; i < 20_000; i++) {
                    t.decideNewFlow(0, IpAddress.ipv4Lo(0x0a60_0000 | (i % 1_000)), 80, 6, 0, IpAddress.ipv4Lo(0x0af4_ff00 | (i & 255)),
                            i * 0x9e3779b9, TrafficSource.CLUSTER_POD, i, null, out);
                    sticky.decideNewFlow(0, IpAddress.ipv4Lo(0x0a60_0000 | (i % 10)), 80, 6, 0, IpAddress.ipv4Lo(0x0af4_ff00 | (i & 255)),
                            i, TrafficSource.CLUSTER_POD, i, affinity, out);
                }
            };
            work.run(); // warm up (class loading, profiling)
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            work.run();
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 1_024, "40,000 decisions allocated " + allocated + " bytes");
        }
    }
}
