package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.maglev.MaglevSizing;
import io.isthmus.lb.maglev.MaglevTable;
import io.isthmus.lb.model.Protocol;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A paired bucket (the decision of a frontend with at most 16 IPv4 backends of one port in its
 * bucket and one backend line) decides exactly as the three-line layout does, whether the stage
 * passes the hint or not; only the frontends that qualify get one; frontends of one service port
 * share their backend line.
 */
class PairedBucketTest {

    private static final int SERVICE_PORTS = 300;
    private static final int[] FLAG_CHOICES = {
        ServiceTableDescriptor.FLAG_CLUSTER_IP,
        ServiceTableDescriptor.FLAG_NODE_PORT,
        ServiceTableDescriptor.FLAG_LOAD_BALANCER,
        ServiceTableDescriptor.FLAG_CLUSTER_IP | ServiceTableDescriptor.FLAG_INTERNAL_POLICY_LOCAL,
        ServiceTableDescriptor.FLAG_CLUSTER_IP | ServiceTableDescriptor.FLAG_AFFINITY_CLIENT_IP,
    };

    /**
     * The same random service ports (1-20 backends, mostly one port, some IPv6, mostly the adaptive
     * M, some other M, various flags), each with one or two frontends sharing its backends and
     * Maglev block, built with line buckets on or off.
     */
    private static ServiceTable build(boolean lineBuckets) {
        SplittableRandom r = new SplittableRandom(16);
        ServiceTableBuilder b = new ServiceTableBuilder(1).compactFrontends(lineBuckets);
        for (int p = 0; p < SERVICE_PORTS; p++) {
            int n = r.nextInt(1, 21);
            boolean ipv6 = r.nextInt(12) == 0;
            boolean mixedPorts = r.nextInt(8) == 0;
            int port = r.nextInt(1, 65_536);
            List<BackendSlot> backends = new ArrayList<>();
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                IpAddress a = ipv6 ? new IpAddress(0x2001_0db8_0000_0000L, p * 32L + i) : IpAddress.ofIpv4(0x0af4_0000 | p << 5 | i);
                backends.add(new BackendSlot(a, mixedPorts ? port + i : port, 0, p * 32 + i));
                names[i] = a + ":" + i;
            }
            int choice = r.nextInt(6);
            int sizeM = choice == 0 ? 307 : choice == 1 ? 71 : choice == 2 ? 251 : MaglevSizing.ADAPTIVE.sizeFor(n);
            int[] entries = MaglevTable.build(names, sizeM);
            for (int i = 0; i < entries.length; i++) {
                entries[i] += 1;
            }
            int block = b.addMaglevBlock(entries, null);
            int flags = FLAG_CHOICES[r.nextInt(FLAG_CHOICES.length)];
            int frontends = r.nextInt(1, 3);
            for (int f = 0; f < frontends; f++) {
                IpAddress vip = ipv6 ? new IpAddress(0xfd00_0000_0000_0000L, p * 2L + f) : IpAddress.ofIpv4(0x0a60_0000 | p << 1 | f);
                assertTrue(b.addFrontend(new FrontendKey(vip, 80, Protocol.TCP),
                        new FrontendSpec(flags, 60, backends, 1, n, 0, block, -1, 1_000 + p)));
            }
        }
        return b.build();
    }

    @Test
    void pairedBucketsDecideAsTheThreeLineLayoutDoes() {
        ServiceTable lines = build(true);
        ServiceTable plain = build(false);
        int paired = 0;
        ServiceDecision a = new ServiceDecision();
        ServiceDecision b = new ServiceDecision();
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < lines.frontendCount(); i++) {
            FrontendKey key = lines.frontendKeys().get(i);
            int fa = lines.findFrontend(key);
            int fb = plain.findFrontend(key);
            assertEquals(3, plain.decisionLines(fb));
            paired += lines.isPaired(fa) ? 1 : 0;
            assertEquals(plain.flags(fb), lines.flags(fa), "read-backs see the frontend's own flags");
            assertEquals(plain.maglevSize(fb), lines.maglevSize(fa));
            assertEquals(plain.servicePortId(fb), lines.servicePortId(fa));
            List<BackendView> backends = plain.backends(fb);
            assertEquals(backends, lines.backends(fa));
            for (int n = 0; n < 400; n++) {
                int hash = r.nextInt();
                long src = r.nextInt(8) == 0
                        ? backends.get(r.nextInt(backends.size())).address().lo() // a hairpin now and then
                        : IpAddress.ipv4Lo(0x0af5_0000 | r.nextInt(1 << 16));
                TrafficSource source = TrafficSource.values()[r.nextInt(TrafficSource.values().length)];
                int hint = lines.backendHint(fa, hash);
                lines.touchBackend(hint);
                ServiceVerdict expected = plain.decide(fb, plain.backendHint(fb, hash), 0, src, hash, source, 0, null, b);
                String at = key + " hash " + hash;
                for (int withHint = 0; withHint < 2; withHint++) {
                    assertEquals(expected, lines.decide(fa, withHint == 0 ? -1 : hint, 0, src, hash, source, 0, null, a), at);
                    SameDecision.assertSameDecision(b, a, at);
                }
            }
        }
        assertTrue(paired > lines.frontendCount() / 5, "the test must exercise paired buckets, got " + paired);
        assertTrue(paired < lines.frontendCount() * 3 / 4, "and the others, got " + paired);
    }

    @Test
    void onlyFrontendsThatNeedNothingButMaglevOverSixteenIpv4BackendsOfOnePortArePaired() {
        ServiceTable t = build(true);
        for (int i = 0; i < t.frontendCount(); i++) {
            int f = t.findFrontend(t.frontendKeys().get(i));
            int n = t.clusterBackendCount(f);
            List<BackendView> backends = t.backends(f);
            boolean onePort = backends.stream().allMatch(v -> v.port() == backends.get(0).port());
            boolean allIpv4 = backends.stream().allMatch(v -> v.address().isIpv4());
            boolean maglevOnly = (t.flags(f) & ServiceTableDescriptor.FLAGS_NOT_COMPACT) == 0;
            boolean compact = maglevOnly && n <= 3 && t.maglevSize(f) == ServiceTableDescriptor.COMPACT_SIZE_M && allIpv4;
            boolean paired = !compact && maglevOnly && n <= 16 && onePort && allIpv4
                    && t.maglevSize(f) <= Math.min(255, ServiceTableDescriptor.pairedCapacity(n));
            String at = t.frontendKeys().get(i) + " n=" + n + " M=" + t.maglevSize(f);
            assertEquals(compact ? 1 : paired ? 2 : 3, t.decisionLines(f), at);
        }
    }

    @Test
    void frontendsOfOneServicePortShareTheirBackendLine() {
        ServiceTable t = build(true);
        int shared = 0;
        for (int i = 0; i + 1 < t.frontendCount(); i++) {
            int f = t.findFrontend(t.frontendKeys().get(i));
            int g = t.findFrontend(t.frontendKeys().get(i + 1));
            if (t.isPaired(f) && t.isPaired(g) && t.servicePortId(f) == t.servicePortId(g)) {
                assertEquals(t.backendHint(f, 0), t.backendHint(g, 12345), "one line per service port");
                shared++;
            }
        }
        assertTrue(shared > 10, "the test must exercise shared lines, got " + shared);
    }

    @Test
    void pairedDecisionsAllocateNothing() {
        ServiceTable t = build(true);
        ServiceDecision out = new ServiceDecision();
        int[] paired = new int[t.frontendCount()];
        int n = 0;
        for (int i = 0; i < t.frontendCount(); i++) {
            int f = t.findFrontend(t.frontendKeys().get(i));
            if (t.isPaired(f)) {
                paired[n++] = f;
            }
        }
        final int count = n;
        Runnable work = () -> {
            for (int i = 0; i < 40_000; i++) {
                int f = paired[i % count];
                int hash = i * 0x9e3779b9;
                t.decide(f, t.backendHint(f, hash), 0, IpAddress.ipv4Lo(0x0af5_0000 | (i & 255)), hash, TrafficSource.CLUSTER_POD, 0, null, out);
            }
        };
        work.run();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5 && allocated >= 1_024; attempt++) { // the least of a few runs: not the JIT's warm-up
            long before = threads.getCurrentThreadAllocatedBytes();
            work.run();
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertTrue(allocated < 1_024, "40,000 paired decisions allocated " + allocated + " bytes");
    }
}
