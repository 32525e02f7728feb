package io.isthmus.slowpath.dns;

import io.isthmus.dns.zone.ZoneDump;
import io.isthmus.dns.zone.ZoneSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The zone of the manifest fixture (without {@code big.yaml}, whose 140 endpoints would only
 * lengthen the text), every record of every precomputed answer, against golden text
 * ({@code src/test/resources/dns/cluster.golden}). After an intended change, regenerate with
 * {@code -Disthmus.golden.update=true} and review the diff.
 */
class ZoneGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/dns/cluster.golden");

    @Test
    void zoneOfTheFixtureMatchesTheGoldenText(@TempDir Path fixture) throws Exception {
        for (String file : List.of("services.yaml", "endpointslices.yaml", "pods.yaml")) {
            Files.copy(DnsConformanceTest.CLUSTER.resolve(file), fixture.resolve(file));
        }
        final KubernetesZone.Result result = ZoneFromManifests.load(fixture, new ZoneSettings("cluster.local", 30, 42));
        final List<String> lines = ZoneDump.lines(result.zone());
        if (Boolean.getBoolean("isthmus.golden.update")) {
            Files.write(GOLDEN, lines, StandardCharsets.UTF_8);
        }
        assertEquals(String.join("\n", Files.readAllLines(GOLDEN, StandardCharsets.UTF_8)), String.join("\n", lines));
    }
}
