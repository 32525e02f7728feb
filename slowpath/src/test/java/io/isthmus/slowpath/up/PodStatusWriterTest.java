package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.util.HashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status fields a kubelet writes for a container that exits, is restarted or ends, as the API
 * server (a CRUD mock) keeps them, and how {@code isthmus status} shows them.
 */
class PodStatusWriterTest {
    private KubernetesMockServer server;
    private KubernetesClient client;
    private PodStatusWriter writer;
    private final PodRecord record = new PodRecord("web", "echo", "isthmus-web-echo", "cid-1", "10.244.0.3", 42);
    private final ContainerExit crash = ContainerExit.exited(3, Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:05Z"));

    @BeforeEach
    void startApiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        client.pods().inNamespace("web").resource(new PodBuilder().withNewMetadata().withName("echo").withNamespace("web").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withCommand("false").endContainer().endSpec().build()).create();
        writer = new PodStatusWriter(client, "node-a", "192.0.2.1");
        writer.running(record);
    }

    @AfterEach
    void stopApiServer() {
        client.close();
        server.destroy();
    }

    private Pod pod() {
        return client.pods().inNamespace("web").withName("echo").get();
    }

    @Test
    void aCrashedContainerWaitsInCrashLoopBackOffWithItsLastExitAndTheRunningPodIsNotReady() {
        writer.crashLoop("web", "echo", "main", 1, crash, "back-off 20 s restarting failed container=main pod=web/echo");

        final Pod pod = pod();
        assertEquals("Running", pod.getStatus().getPhase(), "a kubelet keeps a restarting pod Running");
        assertFalse(PodStatusWriter.isReady(pod));
        assertEquals("10.244.0.3", pod.getStatus().getPodIP(), "the sandbox and its address stay");
        final ContainerStatus container = pod.getStatus().getContainerStatuses().getFirst();
        assertEquals("main", container.getName());
        assertEquals(1, container.getRestartCount());
        assertEquals("CrashLoopBackOff", container.getState().getWaiting().getReason());
        assertTrue(container.getState().getWaiting().getMessage().startsWith("back-off 20 s"), container.toString());
        assertEquals(3, container.getLastState().getTerminated().getExitCode());
        assertEquals("Error", container.getLastState().getTerminated().getReason());
        assertEquals("2026-01-01T00:00:05Z", container.getLastState().getTerminated().getFinishedAt());
        assertEquals("Running, restarts 1, CrashLoopBackOff: back-off 20 s restarting failed container=main pod=web/echo, last exit code 3 (Error)",
                StatusReport.describe(pod));
    }

    @Test
    void aRestartedContainerRunsReadyWithItsCountAndLastExit() {
        writer.crashLoop("web", "echo", "main", 1, crash, "back-off");
        writer.restarted(record.withPid(43), "main", 2, crash, Instant.parse("2026-01-01T00:00:25Z"));

        final Pod pod = pod();
        assertEquals("Running", pod.getStatus().getPhase());
        assertTrue(PodStatusWriter.isReady(pod), pod.getStatus().toString());
        final ContainerStatus container = pod.getStatus().getContainerStatuses().getFirst();
        assertEquals(2, container.getRestartCount());
        assertTrue(container.getReady());
        assertNull(container.getState().getWaiting(), "no longer waiting");
        assertEquals("2026-01-01T00:00:25Z", container.getState().getRunning().getStartedAt());
        assertEquals(3, container.getLastState().getTerminated().getExitCode());
        assertEquals("Running, Ready, restarts 2, last exit code 3 (Error)", StatusReport.describe(pod));
    }

    @Test
    void aContainerThatIsNotRestartedEndsThePodSucceededOnZeroAndFailedOtherwise() {
        writer.terminated("web", "echo", "main", 0, ContainerExit.exited(0, Instant.EPOCH, Instant.EPOCH));
        Pod pod = pod();
        assertEquals("Succeeded", pod.getStatus().getPhase());
        assertFalse(PodStatusWriter.isReady(pod));
        assertEquals("Completed", pod.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getReason());
        assertEquals(0, pod.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getExitCode());
        assertEquals("Succeeded, exit code 0 (Completed)", StatusReport.describe(pod));

        writer.terminated("web", "echo", "main", 4, ContainerExit.exited(2, Instant.EPOCH, Instant.EPOCH));
        pod = pod();
        assertEquals("Failed", pod.getStatus().getPhase());
        assertEquals(4, pod.getStatus().getContainerStatuses().getFirst().getRestartCount());
        assertEquals("Error", pod.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getReason());
        assertTrue(pod.getStatus().getMessage().contains("exited with code 2"), pod.getStatus().getMessage());
    }
}
