package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.affinity.AffinityTable;
import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.maglev.MaglevTable;
import io.isthmus.lb.model.Protocol;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
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

    /** One ClusterIP frontend with {@code n} backends, local ones first when {@code local > 0}, with the given entries. */
    private static ServiceTable oneService(int n, int local, int[] cluster, int[] localEntries) {
        ServiceTableBuilder b = new ServiceTableBuilder(1);
        List<BackendSlot> backends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            backends.add(new BackendSlot(IpAddress.ofIpv4(0x0af4_0000 + i), 8080 + i, i < local ? ServiceTableDescriptor.BACKEND_LOCAL : 0, i));
        }
        int block = b.addMaglevBlock(cluster, localEntries);
        int flags = ServiceTableDescriptor.FLAG_CLUSTER_IP | (local > 0 ? ServiceTableDescriptor.FLAG_INTERNAL_POLICY_LOCAL : 0);
        assertTrue(b.addFrontend(new FrontendKey(IpAddress.parse("10.96.0.1"), 80, Protocol.TCP),
                new FrontendSpec(flags, 0, backends, 1, n, local, block, -1, 1)));
        return b.build();
    }

    @Test
    void everyMaglevEntryIsReadBackAtEveryEntryWidth() {
        SplittableRandom random = new SplittableRandom(3);
        int[][] widths = {{1, 1}, {4, 1}, {5, 2}, {16, 2}, {17, 3}, {256, 3}, {257, 4}, {1_000, 4}}; // backends, log2 width
        for (int[] w : widths) {
            int n = w[0];
            int local = Math.max(1, n / 3);
            int sizeM = 1_009;
            int[] cluster = random.ints(sizeM, 1, n + 1).toArray();
            int[] localEntries = random.ints(sizeM, 1, local + 1).toArray();
            ServiceTable t = oneService(n, local, cluster, localEntries);
            int f = t.findFrontend(0, IpAddress.ipv4Lo(0x0a60_0001), 80, 6);
            assertEquals(w[1], t.maglevEntryWidthLog2(f), n + " backends");
            ServiceDecision out = new ServiceDecision();
            for (int e = 0; e < sizeM; e++) {
                assertEquals(cluster[e], t.maglevSlot(f, e, false), n + " backends, cluster entry " + e);
                assertEquals(localEntries[e], t.maglevSlot(f, e, true), n + " backends, local entry " + e);
                t.decide(f, 0, IpAddress.ipv4Lo(0x0af5_0001), e, TrafficSource.CLUSTER_POD, 0, null, out);
                assertEquals(8080 + localEntries[e] - 1, out.backendPort(), "internalTrafficPolicy Local uses the local entries");
            }
        }
    }

    @Test
    void identicalMaglevBlocksAreStoredOnceAndEachServiceKeepsItsBackends() {
        ServiceTableBuilder b = new ServiceTableBuilder(1);
        int[] allOne = new int[251];
        java.util.Arrays.fill(allOne, 1);
        int first = b.addMaglevBlock(allOne, null);
        int second = b.addMaglevBlock(allOne.clone(), null);
        assertEquals(first, second, "two 1-backend Services share the bytes of their (identical) tables");
        int[] other = allOne.clone();
        other[7] = 2;
        assertNotEquals(first, b.addMaglevBlock(other, null), "a table that differs in one entry is its own");
        for (int s = 0; s < 2; s++) {
            assertTrue(b.addFrontend(new FrontendKey(IpAddress.ofIpv4(0x0a60_0000 + s), 80, Protocol.TCP),
                    new FrontendSpec(ServiceTableDescriptor.FLAG_CLUSTER_IP, 0,
                            List.of(new BackendSlot(IpAddress.ofIpv4(0x0af4_0000 + s), 8080 + s, 0, s)), 1, 1, 0, first, -1, s)));
        }
        ServiceTable t = b.build();
        ServiceDecision out = new ServiceDecision();
        for (int s = 0; s < 2; s++) {
            for (int hash = 0; hash < 1_000; hash++) {
                t.decideNewFlow(0, IpAddress.ipv4Lo(0x0a60_0000 + s), 80, 6, 0, IpAddress.ipv4Lo(0x0af5_0001), hash,
                        TrafficSource.CLUSTER_POD, 0, null, out);
                assertEquals(8080 + s, out.backendPort());
            }
        }
    }

    @Test
    void aLargeTableAsksForHugePagesAndDecidesAsASmallOne() {
        Assumptions.assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
                "huge pages are asked for with mmap/madvise on Linux only");
        ServiceTable large = manyServices(10_000, 0);
        assertTrue(large.footprintBytes() >= TableMemory.HUGE_PAGE_THRESHOLD_BYTES, "footprint " + large.footprintBytes());
        assertTrue(large.hugePagesAdvised(), "madvise(MADV_HUGEPAGE) on a region of " + large.footprintBytes() + " bytes");
        ServiceTable small = manyServices(10, 0);
        assertFalse(small.hugePagesAdvised());
        ServiceDecision a = new ServiceDecision();
        ServiceDecision b = new ServiceDecision();
        for (int s = 0; s < 10; s++) {
            for (int hash = 0; hash < 500; hash++) {
                large.decideNewFlow(0, IpAddress.ipv4Lo(0x0a60_0000 | s), 80, 6, 0, 1, hash * 0x9e37_79b9, TrafficSource.CLUSTER_POD, 0, null, a);
                small.decideNewFlow(0, IpAddress.ipv4Lo(0x0a60_0000 | s), 80, 6, 0, 1, hash * 0x9e37_79b9, TrafficSource.CLUSTER_POD, 0, null, b);
                assertEquals(b.backendAddressLo(), a.backendAddressLo());
                assertEquals(b.backendPort(), a.backendPort());
            }
        }
    }
}
