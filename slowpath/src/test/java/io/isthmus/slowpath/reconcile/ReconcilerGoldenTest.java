package io.isthmus.slowpath.reconcile;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * YAML applied to the embedded API server → control-plane emulation (cluster IPs, node ports,
 * EndpointSlices) → informers → reconciler → DesiredStateTables → the dump of the published
 * tables, compared with a golden text file. Set {@code -Disthmus.golden.update=true} to rewrite
 * the golden files (then read the diff before committing it).
 */
class ReconcilerGoldenTest {
    private static final Path CASES = Path.of("src/test/resources/reconcile");

    @Test
    void basic() throws Exception {
        check("basic");
    }

    private static void check(String name) throws Exception {
        final Path dir = CASES.resolve(name);
        final Path golden = dir.resolve("tables.golden");
        try (ClusterHarness cluster = new ClusterHarness(0)) {
            cluster.apply(dir.resolve("objects.yaml"));
            if (Boolean.getBoolean("isthmus.golden.update")) {
                Thread.sleep(3_000);
                Files.writeString(golden, cluster.dump());
            }
            final String expected = Files.readString(golden);
            assertEquals(expected, cluster.awaitDump(expected::equals, Duration.ofSeconds(20)));
        }
    }
}
