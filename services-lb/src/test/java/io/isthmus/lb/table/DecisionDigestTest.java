package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.ip.IpCidr;
import io.isthmus.lb.maglev.MaglevSizing;
import io.isthmus.lb.maglev.MaglevTable;
import io.isthmus.lb.model.Protocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The decision of random tables, pinned: the same random tables (compact, paired and three-line
 * frontends, IPv4 and IPv6, ClusterIP / NodePort / LoadBalancer, Local policies, source ranges,
 * frontends without endpoints; 7 to about 6,000 frontends) decide the same random flows (90% to a
 * frontend, 10% to an address, port or protocol that is none) exactly as the table of commit
 * cdcf886 (session 5, linear-probing index) did: verdict, backend address, port and id, SNAT,
 * hairpin and service port id of every flow go into one digest, recorded on that commit.
 *
 * <p>The index may place frontends in other buckets (frontend ids are not part of the digest: they
 * are bucket numbers, private to a generation); what a flow is decided to must not move. If a
 * change is meant to change decisions, it has to say so and re-record the digests.
 */
class DecisionDigestTest {

    /** {@link #digest} of each table size, recorded with the code of commit cdcf886. */
    private static final long[][] RECORDED = {
        {3, 228387108693468099L},
        {300, -8414814808506038256L},
        {3_000, -4920509511497746815L},
    };

    private static final int[] FLAG_CHOICES = {
        ServiceTableDescriptor.FLAG_CLUSTER_IP,
        ServiceTableDescriptor.FLAG_CLUSTER_IP,
        ServiceTableDescriptor.FLAG_CLUSTER_IP,
        ServiceTableDescriptor.FLAG_NODE_PORT,
        ServiceTableDescriptor.FLAG_LOAD_BALANCER,
        ServiceTableDescriptor.FLAG_LOAD_BALANCER | ServiceTableDescriptor.FLAG_SOURCE_RANGES,
        ServiceTableDescriptor.FLAG_NODE_PORT | ServiceTableDescriptor.FLAG_EXTERNAL_POLICY_LOCAL,
        ServiceTableDescriptor.FLAG_CLUSTER_IP | ServiceTableDescriptor.FLAG_INTERNAL_POLICY_LOCAL,
        ServiceTableDescriptor.FLAG_CLUSTER_IP | ServiceTableDescriptor.FLAG_AFFINITY_CLIENT_IP,
    };

    @Test
    void randomTablesDecideEveryFlowAsTheyDidBeforeThePerfectHash() {
        for (long[] recorded : RECORDED) {
            int servicePorts = (int) recorded[0];
            assertEquals(recorded[1], digest(servicePorts), servicePorts + " service ports: the decisions moved");
        }
    }

    /** Builds the random table of {@code servicePorts} service ports and digests the decisions of 200,000 random flows. */
    static long digest(int servicePorts) {
        SplittableRandom r = new SplittableRandom(servicePorts * 31L + 6);
        ServiceTableBuilder b = new ServiceTableBuilder(1);
        List<FrontendKey> keys = new ArrayList<>();
        int ranges = b.addSourceRanges(List.of(IpCidr.parse("10.245.0.0/17"), IpCidr.parse("192.168.0.0/16")));
        for (int p = 0; p < servicePorts; p++) {
            boolean ipv6 = r.nextInt(10) == 0;
            int n = r.nextInt(8) == 0 ? 0 : r.nextInt(4) != 0 ? r.nextInt(1, 4) : r.nextInt(4, 24);
            boolean mixedPorts = r.nextInt(8) == 0;
            int port = r.nextInt(1, 65_536);
            int flags = FLAG_CHOICES[r.nextInt(FLAG_CHOICES.length)];
            boolean local = (flags & (ServiceTableDescriptor.FLAG_EXTERNAL_POLICY_LOCAL | ServiceTableDescriptor.FLAG_INTERNAL_POLICY_LOCAL)) != 0;
            int localCount = local && n > 0 ? r.nextInt(0, n + 1) : 0;
            List<BackendSlot> backends = new ArrayList<>();
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                // a backend is now and then a client address (hairpin)
                IpAddress a = ipv6 ? new IpAddress(0x2001_0db8_0000_0000L, p * 32L + i) : IpAddress.ofIpv4(0x0af5_0000 | (p * 32 + i) & 0xffff);
                backends.add(new BackendSlot(a, mixedPorts ? port + i : port, i < localCount ? ServiceTableDescriptor.BACKEND_LOCAL : 0, p * 32 + i));
                names[i] = a + ":" + i;
            }
            int block = -1;
            if (n > 0) {
                int sizeM = r.nextInt(5) == 0 ? 307 : MaglevSizing.ADAPTIVE.sizeFor(n);
                int[] cluster = slots(MaglevTable.build(names, sizeM), 0);
                int[] localEntries = null;
                if (local && localCount > 0) {
                    localEntries = slots(MaglevTable.build(Arrays.copyOf(names, localCount), sizeM), 0);
                }
                block = b.addMaglevBlock(cluster, localEntries);
            }
            int frontends = r.nextInt(1, 4);
            for (int f = 0; f < frontends; f++) {
                IpAddress vip = ipv6 ? new IpAddress(0xfd00_0000_0000_0000L, p * 4L + f) : IpAddress.ofIpv4(0x0a60_0000 + p * 4 + f);
                FrontendKey key = new FrontendKey(vip, f == 2 ? 30_000 + p : 80, r.nextInt(4) == 0 ? Protocol.UDP : Protocol.TCP);
                FrontendSpec spec = new FrontendSpec(flags, 10_800, n == 0 ? List.of() : backends, 1, n, localCount, block,
                        (flags & ServiceTableDescriptor.FLAG_SOURCE_RANGES) != 0 ? ranges : -1, 1_000 + p);
                assertTrue(b.addFrontend(key, spec));
                keys.add(key);
            }
        }
        ServiceTable t = b.build();
        ServiceDecision d = new ServiceDecision();
        TrafficSource[] sources = TrafficSource.values();
        long digest = 0;
        for (int i = 0; i < 200_000; i++) {
            FrontendKey key = keys.get(r.nextInt(keys.size()));
            long hi = key.address().hi();
            long lo = key.address().lo();
            int port = key.port();
            int protocol = key.protocol().ipProtocolNumber();
            switch (r.nextInt(40)) {
                case 0 -> lo ^= 1L << r.nextInt(32);
                case 1 -> port = (port + 1) & 0xffff;
                case 2 -> protocol = protocol == 6 ? 17 : 6;
                case 3 -> hi ^= 1;
                default -> { }
            }
            boolean v6 = key.address().hi() != 0;
            long srcHi = v6 ? 0x2001_0db8_0000_0000L : 0;
            long srcLo = v6 ? r.nextLong(0, servicePorts * 32L) : IpAddress.ipv4Lo(r.nextInt(8) == 0 ? 0x0af5_0000 | r.nextInt(servicePorts * 32) & 0xffff
                    : 0x0af4_0000 | r.nextInt(1 << 16));
            ServiceVerdict v = t.decideNewFlow(hi, lo, port, protocol, srcHi, srcLo, r.nextInt(), sources[r.nextInt(sources.length)], 0, null, d);
            long h = v.ordinal();
            if (v == ServiceVerdict.FORWARD) {
                h = h * 31 + d.backendAddressHi();
                h = h * 31 + d.backendAddressLo();
                h = h * 31 + d.backendPort();
                h = h * 31 + d.backendId();
                h = h * 31 + (d.snat() ? 1 : 0);
                h = h * 31 + (d.hairpin() ? 1 : 0);
            }
            if (v != ServiceVerdict.NOT_A_SERVICE) {
                h = h * 31 + d.servicePortId();
            }
            digest = (digest ^ h) * 0x9e37_79b9_7f4a_7c15L + i;
        }
        return digest;
    }

    /** Maglev entries (0-based backend indexes) as slot numbers, plus {@code offset}. */
    private static int[] slots(int[] entries, int offset) {
        for (int i = 0; i < entries.length; i++) {
            entries[i] += 1 + offset;
        }
        return entries;
    }
}
