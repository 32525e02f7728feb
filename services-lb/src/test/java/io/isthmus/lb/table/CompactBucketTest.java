package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.maglev.MaglevTable;
import io.isthmus.lb.model.Protocol;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A compact bucket (the whole decision of a frontend with at most 3 IPv4 backends and M = 71 in its
 * one line) decides exactly as the three-line layout does: the same tables built with compact
 * buckets on and off give the same verdict, backend, port, id, SNAT, hairpin and service port id.
 */
class CompactBucketTest {

    private static final int FRONTENDS = 400;
    private static final int[] FLAG_CHOICES = {
        ServiceTableDescriptor.FLAG_CLUSTER_IP,
        ServiceTableDescriptor.FLAG_NODE_PORT,
        ServiceTableDescriptor.FLAG_EXTERNAL_IP,
        ServiceTableDescriptor.FLAG_CLUSTER_IP | ServiceTableDescriptor.FLAG_INTERNAL_POLICY_LOCAL,
        ServiceTableDescriptor.FLAG_CLUSTER_IP | ServiceTableDescriptor.FLAG_AFFINITY_CLIENT_IP,
    };

    /** The same random frontends (0-5 backends, some IPv6, M = 71 or 307, various flags) built one way or the other. */
    private static ServiceTable build(boolean compact) {
        SplittableRandom r = new SplittableRandom(6);
        ServiceTableBuilder b = new ServiceTableBuilder(1).compactFrontends(compact);
        for (int f = 0; f < FRONTENDS; f++) {
            int n = r.nextInt(0, 6);
            boolean ipv6 = r.nextInt(10) == 0;
            List<BackendSlot> backends = new ArrayList<>();
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                IpAddress a = ipv6 ? new IpAddress(0x2001_0db8_0000_0000L, f * 8L + i) : IpAddress.ofIpv4(0x0af4_0000 | f << 3 | i);
                backends.add(new BackendSlot(a, r.nextInt(1, 65_536), 0, f * 8 + i));
                names[i] = a + ":" + i;
            }
            int block = -1;
            if (n > 0) {
                int[] entries = MaglevTable.build(names, r.nextInt(4) == 0 ? 307 : ServiceTableDescriptor.COMPACT_SIZE_M);
                for (int i = 0; i < entries.length; i++) {
                    entries[i] += 1;
                }
                block = b.addMaglevBlock(entries, null);
            }
            int flags = FLAG_CHOICES[r.nextInt(FLAG_CHOICES.length)];
            IpAddress vip = ipv6 ? new IpAddress(0xfd00_0000_0000_0000L, f) : IpAddress.ofIpv4(0x0a60_0000 | f);
            assertTrue(b.addFrontend(new FrontendKey(vip, 80, Protocol.TCP),
                    new FrontendSpec(flags, 60, backends, 1, n, 0, block, -1, 1_000 + f)));
        }
        return b.build();
    }

    @Test
    void compactBucketsDecideAsTheThreeLineLayoutDoes() {
        ServiceTable compact = build(true);
        ServiceTable plain = build(false);
        int compactFrontends = 0;
        ServiceDecision a = new ServiceDecision();
        ServiceDecision b = new ServiceDecision();
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < compact.frontendCount(); i++) {
            FrontendKey key = compact.frontendKeys().get(i);
            int fa = compact.findFrontend(key);
            int fb = plain.findFrontend(key);
            assertFalse(plain.isCompact(fb));
            compactFrontends += compact.isCompact(fa) ? 1 : 0;
            assertEquals(plain.flags(fb), compact.flags(fa), "read-backs see the frontend's own flags");
            assertEquals(plain.clusterBackendCount(fb), compact.clusterBackendCount(fa));
            assertEquals(plain.maglevSize(fb), compact.maglevSize(fa));
            assertEquals(plain.servicePortId(fb), compact.servicePortId(fa));
            List<BackendView> backends = plain.backends(fb);
            assertEquals(backends, compact.backends(fa));
            for (int n = 0; n < 300; n++) {
                int hash = r.nextInt();
                long src = r.nextInt(8) == 0 && !backends.isEmpty()
                        ? backends.get(0).address().lo() // a hairpin now and then
                        : IpAddress.ipv4Lo(0x0af5_0000 | r.nextInt(1 << 16));
                TrafficSource source = TrafficSource.values()[r.nextInt(TrafficSource.values().length)];
                assertEquals(plain.decide(fb, 0, src, hash, source, 0, null, b), compact.decide(fa, 0, src, hash, source, 0, null, a));
                String at = key + " hash " + hash;
                SameDecision.assertSameDecision(b, a, at);
                assertEquals(compact.isCompact(fa) ? -1 : plain.backendHint(fb, hash), compact.backendHint(fa, hash), at);
            }
        }
        assertTrue(compactFrontends > FRONTENDS / 10, "the test must exercise compact buckets, got " + compactFrontends);
        assertTrue(compactFrontends < FRONTENDS / 2, "and the others, got " + compactFrontends);
    }

    @Test
    void onlyFrontendsThatNeedNothingButMaglevOverThreeIpv4BackendsAreCompact() {
        ServiceTable t = build(true);
        for (int i = 0; i < t.frontendCount(); i++) {
            int f = t.findFrontend(t.frontendKeys().get(i));
            boolean expected = (t.flags(f) & ServiceTableDescriptor.FLAGS_NOT_COMPACT) == 0
                    && t.clusterBackendCount(f) >= 1 && t.clusterBackendCount(f) <= 3
                    && t.maglevSize(f) == ServiceTableDescriptor.COMPACT_SIZE_M
                    && t.backends(f).get(0).address().isIpv4();
            assertEquals(expected, t.isCompact(f), t.frontendKeys().get(i).toString());
        }
    }

    @Test
    void compactDecisionsAllocateNothing() {
        ServiceTable t = build(true);
        ServiceDecision out = new ServiceDecision();
        int[] compact = new int[FRONTENDS];
        int n = 0;
        for (int i = 0; i < t.frontendCount(); i++) {
            int f = t.findFrontend(t.frontendKeys().get(i));
            if (t.isCompact(f)) {
                compact[n++] = f;
            }
        }
        final int count = n;
        Runnable work = () -> {
            for (int i = 0; i < 40_000; i++) {
                t.decide(compact[i % count], 0, IpAddress.ipv4Lo(0x0af5_0000 | (i & 255)), i * 0x9e3779b9, TrafficSource.CLUSTER_POD, 0, null, out);
            }
        };
        work.run();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        work.run();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1_024, "40,000 compact decisions allocated " + allocated + " bytes");
    }
}
