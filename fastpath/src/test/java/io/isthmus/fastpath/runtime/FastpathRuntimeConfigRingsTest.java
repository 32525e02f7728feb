package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.xsk.XskConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's runtime ({@code isthmus agent}, {@code isthmus up}) sizes its rings as
 * {@code isthmus fastpath --port} does ({@link XskConfig#defaults()}): 2048-entry fill rings ran dry
 * on a loaded 2-vCPU machine (benchmarks/RESULTS.md, session 2), and the node must not be the one
 * place they are still that small.
 */
class FastpathRuntimeConfigRingsTest {

    @Test
    void theNodeRuntimeHasTheRingsOfTheFastpathCommand() {
        final FastpathRuntimeConfig node = FastpathRuntimeConfig.defaults(Path.of("/dev/shm/unused-by-this-test"));
        assertEquals(XskConfig.defaults().ringEntries(), node.xsk().ringEntries());
        assertEquals(4096, node.xsk().ringEntries());
        assertEquals(XskConfig.defaults().frameSizeBytes(), node.xsk().frameSizeBytes());
        assertTrue(node.umemFrames() / (2 * 4) >= node.xsk().ringEntries(),
                "the shared UMEM still fills four ports' rings entirely (the worker's share is pool / (2 x ports))");
    }
}
