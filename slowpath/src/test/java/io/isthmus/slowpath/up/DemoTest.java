package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.slowpath.manifest.ManifestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * examples/demo: it loads without errors and has what the README promises (two namespaces, a
 * client, three echo backends behind a ClusterIP and a NodePort Service, a policy); and each echo
 * backend, run by a session, answers HTTP with its own name (asked from inside its namespace, so
 * no fast path is needed).
 */
class DemoTest {
    static final Path DEMO = Path.of(System.getProperty("isthmus.home", "..")).toAbsolutePath().normalize().resolve("examples/demo");

    @TempDir
    Path dir;
    private UpSession session;

    @AfterEach
    void close() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void theDemoLoadsWithoutErrorsAndHasWhatTheReadmeSays() {
        final ManifestDirectory demo = ManifestDirectory.load(DEMO);
        assertEquals(List.of(), demo.errors());
        final List<Pod> pods = demo.ofType(Pod.class);
        assertEquals(List.of("client", "stranger", "echo-0", "echo-1", "echo-2"), pods.stream().map(p -> p.getMetadata().getName()).toList());
        assertEquals(3, pods.stream().filter(p -> "echo".equals(p.getMetadata().getLabels().get("app"))).count());
        assertEquals(List.of("ClusterIP", "NodePort"), demo.ofType(Service.class).stream()
                .map(s -> s.getSpec().getType() == null ? "ClusterIP" : s.getSpec().getType()).toList());
        assertEquals(1, demo.ofType(NetworkPolicy.class).size());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyEchoBackendAnswersWithItsName() throws Exception {
        Privileges.assumeRootAndAfXdp();
        assertTrue(Shell.run(5, "socat", "-V").ok(), "socat (scripts/install-deps.sh) runs the demo's echo servers");
        final UpState state = new UpState(dir.resolve("state"));
        state.createDirectories();
        PodRunnerTest.writeShim(state.cniBinDir());
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        session = UpSession.start(new UpSession.Options(DEMO, "node-a", "192.0.2.1", "isthmus-t" + java.util.UUID.randomUUID().toString().substring(0, 4) + "-"), state,
                s -> new TestAgent(s, Files.createDirectories(dir.resolve("agent")), "10.233.4.0/24"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(5, session.pods().size(), err.toString(StandardCharsets.UTF_8));
        for (PodRecord pod : session.pods()) {
            if (!pod.name().startsWith("echo-")) {
                continue;
            }
            Shell.Result answer = null;
            for (int attempt = 0; attempt < 50 && (answer == null || !answer.ok()); attempt++) { // until socat listens
                answer = Shell.run(10, "ip", "netns", "exec", pod.netnsName(), "curl", "-sS", "--max-time", "3", "http://127.0.0.1:8080/");
                if (!answer.ok()) {
                    Thread.sleep(100);
                }
            }
            assertTrue(answer.ok(), answer.output());
            assertEquals("pod=" + pod.name() + " client=127.0.0.1\n", answer.output());
        }
    }
}
