package io.isthmus.cli;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.WorkerThread;
import io.isthmus.fastpath.xsk.XskConfig;
import io.isthmus.slowpath.reconcile.DesiredRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code isthmus fastpath --port ... --services PATH}: the YAML becomes the desired records the
 * agent's slow path would send (no root needed for these; the harness's isthmus mode runs it on
 * AF_XDP ports), and bad input is named.
 */
class FastpathWithServicesTest {
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: bench, namespace: isx-bench}
            spec:
              type: ClusterIP
              clusterIP: 10.97.20.10
              ports:
              - {name: udp, protocol: UDP, port: 5001, targetPort: 9}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: bench-1
              namespace: isx-bench
              labels: {kubernetes.io/service-name: bench}
            addressType: IPv4
            ports:
            - {name: udp, protocol: UDP, port: 9}
            endpoints:
            - addresses: ["10.250.30.3"]
              conditions: {ready: true}
            """;

    @TempDir
    Path dir;

    @Test
    void aServiceAndItsSliceBecomeTheRecordsTheSlowPathWouldSend() throws Exception {
        final Path file = Files.writeString(dir.resolve("svc.yaml"), SERVICE);
        final List<DesiredRecord> records = FastpathWithServices.recordsOf(file, "node-a");
        assertEquals(List.of(DesiredKind.LB_SERVICE, DesiredKind.DNS_SERVICE, DesiredKind.LB_ENDPOINT_SLICE, DesiredKind.DNS_ENDPOINT_SLICE),
                records.stream().map(DesiredRecord::kind).toList());
        assertEquals("isx-bench/bench", records.getFirst().key());
    }

    @Test
    void aFileWithoutAServiceOrNotYamlIsRefusedByName() throws Exception {
        final Path empty = Files.writeString(dir.resolve("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
        final IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> FastpathWithServices.recordsOf(empty, "n"));
        assertTrue(none.getMessage().contains("no Service in it") && none.getMessage().contains("ns.yaml"), none.getMessage());
        final Path broken = Files.writeString(dir.resolve("broken.yaml"), "kind: [\n");
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> FastpathWithServices.recordsOf(broken, "n"));
        assertTrue(bad.getMessage().contains("broken.yaml"), bad.getMessage());
    }

    @Test
    void servicesWithControlOrAMissingFileAreUsageErrors() throws Exception {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, new FastpathCommand().run(new String[]{"--control", "aeron:ipc", "--services", "x.yaml"}, out, errStream));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--services goes with --port"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, new FastpathCommand().run(new String[]{"--port", "eth0=10.1.2.3", "--services", dir.resolve("missing.yaml").toString()},
                out, errStream));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing.yaml"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theServicesRuntimeHasThePlainFastPathsSocketsSoTheTwoFiguresDifferByThePipelineOnly() {
        final XskConfig plain = XskConfig.defaults();
        final FastpathRuntimeConfig config = FastpathCommand.servicesRuntime(plain, IdleMode.BUSY_SPIN, WorkerThread.INHERIT, 4);
        assertEquals(plain, config.xsk(), "the --port fast path's rings and modes");
        // the worker gives each of the 4 ports pool / (2 x 4) frames to receive into: as many as --port gives
        assertEquals(plain.framesPerPort() * 4, config.umemFrames());
        assertEquals(IdleMode.BUSY_SPIN, config.idleMode());
        assertEquals(FastpathRuntimeConfig.defaults(dir.resolve("ct")).flow(), config.flow(), "the node's flow stages");
        final XskConfig copy = plain.withBindMode(io.isthmus.fastpath.xsk.XskBindMode.COPY);
        assertEquals(copy, FastpathCommand.servicesRuntime(copy, IdleMode.BACKOFF, WorkerThread.INHERIT, 4).xsk(), "--copy kept");
    }
}
