package io.isthmus.slowpath.agent;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.aeron.EmbeddedMediaDriver;
import io.isthmus.fastpath.runtime.DesiredRecords;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.TcpStream;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.policy.model.NamespaceInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast path alone (what {@code isthmus fastpath --control aeron:ipc} runs) with the slow path
 * in ANOTHER PROCESS over the same protocol: the slow path attaches two pods; while a TCP stream
 * flows between them it is killed (SIGKILL) and a new one started, which resynchronises; the
 * stream never stops and arrives whole. Root + AF_XDP only (skipped visibly otherwise).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SlowPathProcessTest {
    @RegisterExtension
    final PodExtension pods = new PodExtension();
    private final Path conntrack = Path.of("/dev/shm", "isthmus-slowpath-process-ct-" + UUID.randomUUID());
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(conntrack);
    }

    @Test
    void aKilledSlowPathProcessIsReplacedWhileAStreamFlows() throws Exception {
        final Pod a = pods.pod("10.215.0.2");
        final Pod b = pods.pod("10.215.0.3");
        try (FastpathService fastpath = FastpathService.start(FastpathRuntimeConfig.small(conntrack), EmbeddedMediaDriver.uniqueDirectory())) {
            final String[] ports = {port(a), port(b)};
            final Process first = slowPath(fastpath.aeronDirectory(), 1, ports);
            assertEquals(2, fastpath.runtime().ports().attached().size());
            try (TcpStream stream = TcpStream.start(a, b, 7500)) {
                stream.awaitReceived(128 * 1024, 30);
                first.destroyForcibly();
                assertTrue(first.waitFor(10, TimeUnit.SECONDS));
                final long afterKill = stream.receivedBytes();
                stream.awaitReceived(afterKill + 128 * 1024, 30); // no slow path at all: still forwarding

                slowPath(fastpath.aeronDirectory(), 2, ports);
                final DesiredRecords desired = (DesiredRecords) fastpath.runtime().desired();
                assertEquals(2, desired.lastCompletedEpoch());
                assertEquals(Map.of("ns-2", NamespaceInfo.of("ns-2", Map.of())), desired.snapshot(DesiredKind.POLICY_NAMESPACE));
                stream.awaitReceived(stream.receivedBytes() + 128 * 1024, 30);
                stream.assertWhole();
            }
            assertEquals(2, fastpath.runtime().ports().attached().size(), "the re-sent attachments were idempotent");
        }
    }

    private static String port(Pod pod) {
        return pod.hostInterface() + "=" + pod.ip() + "=" + pod.mac();
    }

    /** Starts a slow-path process and waits for its READY line. */
    private Process slowPath(Path aeron, long epoch, String... ports) throws Exception {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("--add-") || flag.startsWith("--enable-native-access")) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SlowPathProcess.class.getName(), aeron.toString(),
                Long.toString(epoch)));
        command.addAll(List.of(ports));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final String ready = CompletableFuture.supplyAsync(() -> {
            try {
                final StringBuilder seen = new StringBuilder();
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.equals("READY")) {
                        return line;
                    }
                    seen.append(line).append('\n');
                }
                return seen.toString();
            } catch (Exception e) {
                return e.toString();
            }
        }, task -> Thread.ofPlatform().daemon().start(task)).get(60, TimeUnit.SECONDS);
        assertEquals("READY", ready, "the slow-path process said");
        return process;
    }
}
