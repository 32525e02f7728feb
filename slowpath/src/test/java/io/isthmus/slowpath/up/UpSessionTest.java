package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.Pod;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.slowpath.cni.PodAttachment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole session over a small manifest directory with a test agent (mock API server, real CNI
 * server and plugin): bad documents are reported and the rest loads, pods run and their status is
 * written, a pod that cannot run is marked Failed; then closing, and separately 'down' after a
 * session that was abandoned as a crash leaves it, remove everything.
 */
class UpSessionTest {
    @TempDir
    Path dir;

    private final String ns = "u" + UUID.randomUUID().toString().substring(0, 6);
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private UpSession session;
    private TestAgent agent;

    @AfterEach
    void cleanUp() throws IOException {
        if (session != null) {
            session.close();
        }
        Teardown.down(new UpState(dir.resolve("state")), new PrintStream(new ByteArrayOutputStream()), err);
    }

    private UpState prepare() throws IOException {
        Privileges.assumeRootAndAfXdp();
        final UpState state = new UpState(dir.resolve("state"));
        state.createDirectories();
        PodRunnerTest.writeShim(state.cniBinDir());
        final Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Files.writeString(manifests.resolve("pods.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: NS, labels: {app: web}}
                spec:
                  containers:
                  - name: main
                    command: ["sh", "-c", "echo started $POD_NAME; exec sleep 300"]
                    env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: image-only, namespace: NS}
                spec:
                  containers: [{name: main, image: nginx}]
                ---
                kind: Service
                metadata: {name: no-api-version}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: NS}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                """.replace("NS", ns));
        return state;
    }

    /** Pods that do not start are tried again after 500 ms, 1 s, then every 2 s. */
    private static final PodStartBackoff TEST_BACKOFF = new PodStartBackoff(java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(2));

    private UpSession startSession(UpState state) throws Exception {
        return UpSession.start(new UpSession.Options(dir.resolve("manifests"), "node-a", "192.0.2.1", NetworkNamespaces.PREFIX, TEST_BACKOFF), state,
                s -> agent = new TestAgent(s, Files.createDirectories(dir.resolve("agent")), "10.232.9.0/24"),
                new PrintStream(new ByteArrayOutputStream()), err);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void runsThePodsWritesTheirStatusAndCloseRemovesEverything() throws Exception {
        final UpState state = prepare();
        session = startSession(state);

        final String errors = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(errors.contains("pods.yaml document 2") && errors.contains("apiVersion, kind and metadata.name are required"), errors);
        assertTrue(errors.contains("Pod " + ns + "/image-only did not start") && errors.contains("has no command"), errors);
        assertEquals(1, session.pods().size());
        assertEquals(1, session.failedPods().size());
        assertTrue(session.failedPods().getFirst().startsWith(ns + "/image-only: ") && session.failedPods().getFirst().contains("has no command"));
        assertTrue(Files.readString(state.readyFile()).contains("  FAILED " + ns + "/image-only: "), "the summary says why");
        assertTrue(Files.readString(state.readyFile()).contains("  SKIPPED ") && Files.readString(state.readyFile()).contains("pods.yaml document 2"),
                "the summary names the skipped document (a detached session's stderr is only in its log)");
        final PodRecord web = session.pods().getFirst();
        final Pod live = agent.client().pods().inNamespace(ns).withName("web").get();
        assertEquals("Running", live.getStatus().getPhase());
        assertEquals(web.podIp(), live.getStatus().getPodIP());
        assertEquals("node-a", live.getSpec().getNodeName());
        assertTrue(PodStatusWriter.isReady(live), live.getStatus().toString());
        assertEquals("Failed", agent.client().pods().inNamespace(ns).withName("image-only").get().getStatus().getPhase());
        assertNotNull(agent.client().services().inNamespace(ns).withName("web").get(), "the Service was applied");
        assertNotNull(agent.client().namespaces().withName(ns).get(), "the namespace was made");
        assertTrue(Files.readString(state.readyFile()).contains(ns + "/web"));
        assertTrue(Files.readString(state.kubeconfig()).contains("server: http"));
        final String hostIf = PodAttachment.hostInterfaceName(web.containerId(), PodRunner.POD_IFNAME);
        assertTrue(Shell.run(10, "ip", "link", "show", hostIf).ok());

        session.close();
        session = null;

        assertFalse(Files.exists(web.netnsPath()));
        assertFalse(Shell.run(10, "ip", "link", "show", hostIf).ok(), "veth removed");
        assertTrue(agent.attached.isEmpty(), "CNI DEL detached the port: " + agent.attached);
        assertTrue(agent.closed);
        assertFalse(Files.exists(agent.leftover), "leftovers removed");
        assertFalse(Files.exists(state.dir()), "state removed");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void podsAppliedThroughTheApiServerRunAndDeletedOnesLeaveNothing() throws Exception {
        final UpState state = prepare();
        session = startSession(state);
        final var pods = agent.client().pods().inNamespace(ns);

        pods.resource(pod("later", "")).create(); // unscheduled, as kubectl apply makes it: up binds it to itself
        final Pod later = awaitRunning("later");
        assertEquals("node-a", later.getSpec().getNodeName(), "bound to this node");
        final PodRecord first = state.pod(ns, "later").orElseThrow();
        assertEquals(first.podIp(), later.getStatus().getPodIP());
        assertTrue(first.podIp().startsWith("10.232.9."), "an address of the node's pod CIDR: " + first.podIp());
        assertTrue(Files.exists(first.netnsPath()));
        assertTrue(Shell.run(10, "ip", "link", "show", veth(first)).ok(), "its veth");
        assertTrue(Files.exists(ipamFile(state, first)), "its address is allocated");
        assertTrue(Files.readString(state.podLog(ns, "later")).contains("started later"), "its command ran with its environment");
        assertEquals(2, session.pods().size(), "the manifest's pod and the later one");

        pods.resource(pod("elsewhere", "node-b")).create(); // another node's: not ours to run
        pods.resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("no-command").withNamespace(ns).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("busybox").endContainer().endSpec().build()).create();
        final Pod refused = awaitPod("no-command", p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()));
        assertTrue(refused.getStatus().getMessage().contains("has no command"), "the status says why: " + refused.getStatus());
        assertTrue(state.pod(ns, "no-command").isEmpty(), "nothing was made for it");
        awaitTrue(() -> session.failedPods().stream().anyMatch(f -> f.startsWith(ns + "/elsewhere: scheduled to node node-b")),
                "another node's pod is left alone: " + session.failedPods());
        assertTrue(state.pod(ns, "elsewhere").isEmpty());

        pods.withName("later").delete();
        awaitTrue(() -> state.pod(ns, "later").isEmpty(), "the deleted pod's record removed");
        assertGone(state, first);

        pods.resource(pod("later", "")).create(); // re-created under the same name: a new sandbox
        awaitRunning("later");
        final PodRecord second = state.pod(ns, "later").orElseThrow();
        assertFalse(second.containerId().equals(first.containerId()), "a new sandbox, not the old one");
        pods.withName("later").delete();
        pods.resource(pod("later", "")).create(); // deleted and re-created at once: the old one goes, the new one runs
        awaitTrue(() -> state.pod(ns, "later").filter(r -> !r.containerId().equals(second.containerId()) && r.pid() > 0).isPresent(),
                "the quickly re-created pod runs in a sandbox of its own");
        assertGoneButItsNamespaceName(state, second);
        final PodRecord third = state.pod(ns, "later").orElseThrow();
        awaitRunning("later");
        pods.withName("later").delete();
        awaitTrue(() -> state.pod(ns, "later").isEmpty(), "the last one's record removed");
        assertGone(state, third);
        assertEquals(1, session.pods().size(), "only the manifest's pod still runs");
        assertEquals(1, agent.attached.size(), "only its port is attached: " + agent.attached);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aPodThatDoesNotStartIsTriedAgainWithNothingLeftBetweenAttemptsAndRunsOnceItCan() throws Exception {
        final UpState state = prepare();
        session = startSession(state);
        final Path program = dir.resolve("later/bin/serve"); // made only after two attempts failed
        agent.client().pods().inNamespace(ns).resource(podRunning("retried", program.toString(), "")).create();

        awaitErrors("Pod " + ns + "/retried did not start: executable " + program + " not found", "attempt 2 failed; trying again in 1 s");
        // the third attempt is 1 s away: what the failed ones made must all be gone now
        assertTrue(state.pod(ns, "retried").isEmpty(), "no record of a failed attempt");
        assertFalse(Files.exists(NetworkNamespaces.path(NetworkNamespaces.nameFor(ns, "retried"))), "no namespace of a failed attempt");
        assertEquals(1, agent.attached.size(), "only the manifest pod's port is attached: " + agent.attached);
        assertEquals(List.of(session.pods().getFirst().podIp()), allocatedAddresses(state), "the failed attempts' addresses were released");
        final Pod waiting = agent.client().pods().inNamespace(ns).withName("retried").get();
        assertEquals("Pending", waiting.getStatus().getPhase(), "Pending while it is tried again, not Failed");
        assertEquals(NodePodWatcher.WAITING_REASON, waiting.getStatus().getContainerStatuses().getFirst().getState().getWaiting().getReason());
        assertTrue(waiting.getStatus().getContainerStatuses().getFirst().getState().getWaiting().getMessage().contains("not found"),
                waiting.getStatus().toString());
        assertFalse(PodStatusWriter.isReady(waiting));
        assertTrue(session.retryingPods().stream().anyMatch(p -> p.startsWith(ns + "/retried: executable")), session.retryingPods().toString());
        assertTrue(session.failedPods().stream().noneMatch(p -> p.startsWith(ns + "/retried")), "not refused for good");

        Files.createDirectories(program.getParent());
        Files.writeString(program, "#!/bin/sh\necho serving $POD_NAME\nexec sleep 300\n");
        program.toFile().setExecutable(true);

        final Pod running = awaitRunning("retried");
        assertTrue(running.getStatus().getContainerStatuses().isEmpty() && running.getStatus().getMessage() == null,
                "the waiting reason is gone: " + running.getStatus());
        assertTrue(session.retryingPods().isEmpty(), session.retryingPods().toString());
        awaitTrue(() -> Files.readString(state.podLog(ns, "retried")).contains("serving retried"), "the command ran");
        assertEquals(2, agent.attached.size(), "its port is attached now: " + agent.attached);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void retriesEndWhenThePodIsDeletedOrGoesToAnotherNodeAndRestartPolicyNeverFailsAtOnce() throws Exception {
        final UpState state = prepare();
        session = startSession(state);
        final var pods = agent.client().pods().inNamespace(ns);
        final String missing = dir.resolve("never/made").toString();
        pods.resource(podRunning("deleted", missing, "")).create();
        pods.resource(podRunning("moved", missing, "")).create();
        final Pod never = podRunning("never", missing, "");
        never.getSpec().setRestartPolicy("Never");
        pods.resource(never).create();

        final Pod failed = awaitPod("never", p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()));
        assertTrue(failed.getStatus().getMessage().contains("restartPolicy Never"), failed.getStatus().toString());
        awaitErrors("Pod " + ns + "/deleted did not start", "attempt 2 failed");
        awaitErrors("Pod " + ns + "/moved did not start", "attempt 2 failed");

        pods.withName("deleted").delete();
        pods.withName("moved").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p).editSpec().withNodeName("node-b").endSpec().build());
        awaitTrue(() -> session.retryingPods().isEmpty(), "neither is tried again: " + session.retryingPods());
        final long attemptsBefore = attemptLines();
        Thread.sleep(5_000); // more than two of the longest waits (2 s)
        assertEquals(attemptsBefore, attemptLines(), "no attempt after the delete and the move:\n" + errBytes.toString(StandardCharsets.UTF_8));
        assertTrue(session.failedPods().stream().anyMatch(f -> f.startsWith(ns + "/moved: scheduled to node node-b")), session.failedPods().toString());
        assertTrue(session.failedPods().stream().anyMatch(f -> f.startsWith(ns + "/never: ")), session.failedPods().toString());
        for (String name : List.of("deleted", "moved", "never")) {
            assertTrue(state.pod(ns, name).isEmpty(), name + ": nothing left");
            assertFalse(Files.exists(NetworkNamespaces.path(NetworkNamespaces.nameFor(ns, name))), name + ": no namespace left");
        }
        assertEquals(List.of(session.pods().getFirst().podIp()), allocatedAddresses(state), "only the manifest pod holds an address");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aCommandThatExitsIsRestartedInItsSandboxByRestartPolicyAndNeverWithExitZeroSucceeds() throws Exception {
        final UpState state = prepare();
        session = startSession(state);
        final var pods = agent.client().pods().inNamespace(ns);
        final Path runs = dir.resolve("crashy.runs");
        final Pod crashy = pod("crashy", "");
        crashy.getSpec().getContainers().getFirst().setCommand(List.of("sh", "-c",
                "n=$(cat " + runs + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + runs + "; echo run $n;"
                        + " if [ $n -ge 3 ]; then exec sleep 300; fi; exit 3"));
        pods.resource(crashy).create();
        final Pod once = pod("once", "");
        once.getSpec().getContainers().getFirst().setCommand(List.of("sh", "-c", "echo done"));
        once.getSpec().setRestartPolicy("Never");
        pods.resource(once).create();

        final Pod backingOff = awaitPod("crashy", p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                && !p.getStatus().getContainerStatuses().isEmpty() && p.getStatus().getContainerStatuses().getFirst().getState().getWaiting() != null);
        final var waiting = backingOff.getStatus().getContainerStatuses().getFirst();
        assertEquals(PodStatusWriter.CRASH_LOOP_BACK_OFF, waiting.getState().getWaiting().getReason(), backingOff.getStatus().toString());
        assertEquals(3, waiting.getLastState().getTerminated().getExitCode());
        assertEquals("Error", waiting.getLastState().getTerminated().getReason());
        assertFalse(PodStatusWriter.isReady(backingOff));
        final PodRecord first = state.pod(ns, "crashy").orElseThrow();

        final Pod running = awaitPod("crashy", p -> p.getStatus() != null && PodStatusWriter.isReady(p) && p.getStatus().getContainerStatuses() != null
                && !p.getStatus().getContainerStatuses().isEmpty() && p.getStatus().getContainerStatuses().getFirst().getRestartCount() == 2);
        assertEquals("Running", running.getStatus().getPhase());
        assertEquals("3", Files.readString(runs).strip(), "the command ran three times");
        final PodRecord third = state.pod(ns, "crashy").orElseThrow();
        assertEquals(first.containerId(), third.containerId(), "the same sandbox: no new CNI ADD");
        assertEquals(first.podIp(), third.podIp());
        assertEquals(first.podIp(), running.getStatus().getPodIP());
        assertTrue(ProcessHandle.of(third.pid()).isPresent(), "the third run is the recorded process");
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("Pod " + ns + "/crashy exited with code 3; restart 2 in 1 s")
                || errBytes.toString(StandardCharsets.UTF_8).contains("the command of Pod " + ns + "/crashy exited with code 3; restart 2 in 1 s"),
                errBytes.toString(StandardCharsets.UTF_8));
        awaitTrue(() -> Files.readString(state.podLog(ns, "crashy")).contains("run 3"), "every run's output is in the log");

        final Pod succeeded = awaitPod("once", p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()));
        assertEquals("Completed", succeeded.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getReason());
        assertEquals(0, succeeded.getStatus().getContainerStatuses().getFirst().getRestartCount());
        Thread.sleep(1_500); // longer than the first backoff: a restart would have come
        assertEquals(1, Files.readString(state.podLog(ns, "once")).lines().filter("done"::equals).count(), "run once only");

        pods.withName("crashy").delete();
        awaitTrue(() -> state.pod(ns, "crashy").isEmpty(), "the deleted pod's record removed (its stop done)");
        assertGone(state, third);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aCrashLoopEndsWhenThePodMovesToAnotherNodeOrIsDeleted() throws Exception {
        final UpState state = prepare();
        session = startSession(state);
        final var pods = agent.client().pods().inNamespace(ns);
        for (String name : List.of("wanderer", "doomed")) {
            final Path runs = dir.resolve(name + ".runs");
            final Pod pod = pod(name, "");
            pod.getSpec().getContainers().getFirst().setCommand(List.of("sh", "-c", "echo run >> " + runs + "; exit 1"));
            pod.getSpec().setRestartPolicy("OnFailure");
            pods.resource(pod).create();
        }
        awaitTrue(() -> runs("wanderer") >= 2 && runs("doomed") >= 2, "both restarted at least once");
        final PodRecord wanderer = state.pod(ns, "wanderer").orElseThrow();
        final PodRecord doomed = state.pod(ns, "doomed").orElseThrow();

        pods.withName("wanderer").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p).editSpec().withNodeName("node-b").endSpec().build());
        pods.withName("doomed").delete();
        awaitTrue(() -> state.pod(ns, "wanderer").isEmpty() && state.pod(ns, "doomed").isEmpty(), "both sandboxes stopped");
        final long wandererRuns = runs("wanderer");
        final long doomedRuns = runs("doomed");
        Thread.sleep(4_500); // more than two of the longest waits (2 s)
        assertEquals(wandererRuns, runs("wanderer"), "no restart after the move:\n" + errBytes.toString(StandardCharsets.UTF_8));
        assertEquals(doomedRuns, runs("doomed"), "no restart after the delete");
        assertGone(state, wanderer);
        assertGone(state, doomed);
        assertTrue(session.failedPods().stream().anyMatch(f -> f.startsWith(ns + "/wanderer: scheduled to node node-b")), session.failedPods().toString());
    }

    private long runs(String pod) throws IOException {
        final Path file = dir.resolve(pod + ".runs");
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    private long attemptLines() {
        return errBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" did not start: ") && l.contains("attempt ")).count();
    }

    /** Waits for a line of the session's error output holding both texts. */
    private void awaitErrors(String first, String second) throws InterruptedException, IOException {
        awaitTrue(() -> errBytes.toString(StandardCharsets.UTF_8).lines().anyMatch(l -> l.contains(first) && l.contains(second)),
                "a line with '" + first + "' and '" + second + "'");
    }

    private static List<String> allocatedAddresses(UpState state) throws IOException {
        try (var files = Files.list(state.ipamDir().resolve("isthmus"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).sorted().toList();
        }
    }

    /** A pod whose command is {@code program} alone. */
    private Pod podRunning(String name, String program, String nodeName) {
        final Pod pod = pod(name, nodeName);
        pod.getSpec().getContainers().getFirst().setCommand(List.of(program));
        return pod;
    }

    private Pod pod(String name, String nodeName) {
        return new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName(nodeName.isEmpty() ? null : nodeName).addNewContainer().withName("main")
                .withCommand("sh", "-c", "echo started $POD_NAME; exec sleep 300")
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
                .endContainer().endSpec().build();
    }

    private Pod awaitRunning(String name) throws InterruptedException {
        return awaitPod(name, p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()) && PodStatusWriter.isReady(p));
    }

    private Pod awaitPod(String name, java.util.function.Predicate<Pod> done) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Pod pod = null;
        while (System.nanoTime() < deadline) {
            pod = agent.client().pods().inNamespace(ns).withName(name).get();
            if (pod != null && done.test(pod)) {
                return pod;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Pod " + ns + "/" + name + " not as expected within 60 s: " + (pod == null ? "absent" : pod.getStatus())
                + "\n" + errBytes.toString(StandardCharsets.UTF_8));
    }

    private interface IoCondition {
        boolean test() throws IOException;
    }

    private void awaitTrue(IoCondition condition, String what) throws InterruptedException, IOException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.test()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + "\n" + errBytes.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(100);
        }
    }

    private static String veth(PodRecord record) {
        return PodAttachment.hostInterfaceName(record.containerId(), PodRunner.POD_IFNAME);
    }

    private static Path ipamFile(UpState state, PodRecord record) {
        return state.ipamDir().resolve("isthmus").resolve(record.podIp());
    }

    /** The pod's command ended, its namespace, veth, port and address are gone. */
    private void assertGone(UpState state, PodRecord record) throws InterruptedException, IOException {
        assertGoneButItsNamespaceName(state, record);
        assertFalse(Files.exists(record.netnsPath()), "netns " + record.netnsName() + " removed");
    }

    /** As {@link #assertGone} for a pod whose successor of the same name runs (in a namespace of the same name). */
    private void assertGoneButItsNamespaceName(UpState state, PodRecord record) throws InterruptedException, IOException {
        awaitTrue(() -> ProcessHandle.of(record.pid()).isEmpty(), "the command of " + record.key() + " ended");
        assertFalse(Shell.run(10, "ip", "link", "show", veth(record)).ok(), "veth " + veth(record) + " removed");
        assertFalse(agent.attached.containsKey(veth(record)), "its port detached: " + agent.attached);
        assertFalse(Files.exists(ipamFile(state, record)), "address " + record.podIp() + " free again");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void downRemovesWhatAnAbandonedSessionLeft() throws Exception {
        final UpState state = prepare();
        final UpSession abandoned = startSession(state);
        final PodRecord web = abandoned.pods().getFirst();
        abandoned.abandonAsACrashWould(); // as if the process had died: nothing watches or restarts the pods ...
        agent.close(); // ... its agent is gone, the pods and namespaces are not
        assertTrue(ProcessHandle.of(web.pid()).isPresent());

        assertTrue(Teardown.down(state, new PrintStream(new ByteArrayOutputStream()), err));

        assertFalse(Files.exists(web.netnsPath()), "netns removed");
        assertFalse(Shell.run(10, "ip", "link", "show", PodAttachment.hostInterfaceName(web.containerId(), PodRunner.POD_IFNAME)).ok());
        assertTrue(ProcessHandle.of(web.pid()).isEmpty(), "container process ended");
        assertFalse(Files.exists(agent.leftover));
        assertFalse(Files.exists(state.dir()));
        assertFalse(Teardown.down(state, new PrintStream(new ByteArrayOutputStream()), err), "a second down has nothing to do");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void downRemovesTheHostPortOfASessionThatDied() throws Exception {
        Privileges.assumeRootAndAfXdp();
        final UpState state = new UpState(dir.resolve("state"));
        state.createDirectories();
        final String hostPort = "isd" + ns.substring(1);
        try {
            Shell.check("ip", "link", "add", hostPort, "type", "veth", "peer", "name", hostPort + "fp");
            UpState.writeAtomically(state.hostPortFile(), hostPort + "\n"); // as EmbeddedUpAgent writes it before making it

            assertTrue(Teardown.down(state, new PrintStream(new ByteArrayOutputStream()), err));

            assertFalse(Shell.run(10, "ip", "link", "show", hostPort).ok(), "the host port's veth removed");
            assertFalse(Shell.run(10, "ip", "link", "show", hostPort + "fp").ok(), "its other end with it");
            assertFalse(Files.exists(state.dir()));
        } finally {
            if (Shell.run(10, "ip", "link", "show", hostPort).ok()) {
                Shell.run(10, "ip", "link", "del", hostPort);
            }
        }
    }
}
