package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.maglev.MaglevTable;
import io.isthmus.lb.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StagingBuffersTest {

    /** {@code services} ClusterIP frontends with {@code backendsEach} backends, staged into {@code staging}. */
    private static ServiceTable build(int services, int backendsEach, int addressSalt, StagingBuffers staging) {
        ServiceTableBuilder b = new ServiceTableBuilder(1, services, services * backendsEach, 0, staging);
        for (int s = 0; s < services; s++) {
            List<BackendSlot> backends = new ArrayList<>();
            String[] names = new String[backendsEach];
            for (int i = 0; i < backendsEach; i++) {
                IpAddress a = IpAddress.ofIpv4(0x0af4_0000 | (s * backendsEach + i + addressSalt));
                backends.add(new BackendSlot(a, 8080 + addressSalt, 0, s * backendsEach + i));
                names[i] = a + ":8080";
            }
            int[] entries = MaglevTable.build(names, 251);
            for (int i = 0; i < entries.length; i++) {
                entries[i] += 1;
            }
            int block = b.addMaglevBlock(entries, null);
            assertTrue(b.addFrontend(new FrontendKey(IpAddress.ofIpv4(0x0a60_0000 | s), 80, Protocol.TCP),
                    new FrontendSpec(ServiceTableDescriptor.FLAG_CLUSTER_IP, 60, backends, 1, backendsEach, 0, block, -1, s)));
        }
        return b.build();
    }

    @Test
    void aGenerationStagedInReusedBuffersEqualsOneStagedInFreshOnes() {
        StagingBuffers reused = new StagingBuffers();
        build(300, 7, 0, reused); // leaves larger arrays full of other bytes behind
        byte[] backendsAfterFirst = reused.backends;
        ServiceTable fromReused = build(120, 3, 5, reused);
        ServiceTable fromFresh = build(120, 3, 5, new StagingBuffers());
        assertEquals(ServiceTableDump.dump(fromFresh), ServiceTableDump.dump(fromReused));
        assertSame(backendsAfterFirst, reused.backends, "a smaller generation reuses the arrays, allocates none");
    }

    @Test
    void buffersGrowWithTheTableAndAreKept() {
        StagingBuffers staging = new StagingBuffers();
        build(10, 2, 0, staging);
        long small = staging.retainedBytes();
        ServiceTable big = build(400, 9, 1, staging);
        assertTrue(staging.retainedBytes() > small, "grown for the larger generation");
        assertEquals(ServiceTableDump.dump(build(400, 9, 1, new StagingBuffers())), ServiceTableDump.dump(big));
    }
}
