package io.isthmus.policy.compile;

import io.isthmus.policy.Dsl;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Protocol;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fast-path contract: a verdict allocates nothing (checked with the JVM's per-thread allocation counter). */
class VerdictLookupAllocationTest {

    @Test
    @DisplayName("address resolution and verdicts allocate no memory")
    void noAllocation() {
        final PolicyCompiler compiler = new PolicyCompiler();
        for (int i = 0; i < 50; i++) {
            compiler.putPod(new PodInfo("ns", "p" + i, Map.of("app", "a" + (i % 5)), List.of(IpAddress.ofIpv4((10 << 24) | i + 1)), List.of(), true));
        }
        compiler.putPolicy(Dsl.policy("ns", "p", Dsl.sel("app", "a1")).ingress(Dsl.rule(Dsl.peers(Dsl.pods(Dsl.sel("app", "a2"))), Dsl.tcp(80))).build());
        final PolicySnapshot snapshot = compiler.snapshot();
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "this JVM cannot count allocated bytes per thread");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        int allowed = 0;
        lookups(snapshot, 1_000); // load classes first
        final long before = threads.getCurrentThreadAllocatedBytes();
        allowed += lookups(snapshot, 100_000);
        final long after = threads.getCurrentThreadAllocatedBytes();
        assertTrue(allowed > 0);
        assertEquals(0, after - before, "bytes allocated by 100,000 verdicts");
    }

    private static int lookups(PolicySnapshot snapshot, int count) {
        int allowed = 0;
        for (int i = 0; i < count; i++) {
            final int src = snapshot.refOfIpv4((10 << 24) | (i % 50) + 1);
            final int dst = snapshot.refOfIpv4((10 << 24) | ((i * 7) % 50) + 1);
            allowed += snapshot.allows(src, dst, Protocol.TCP.index(), 80 + (i & 1)) ? 1 : 0;
        }
        return allowed;
    }
}
