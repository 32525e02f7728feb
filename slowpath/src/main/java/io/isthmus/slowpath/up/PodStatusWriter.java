package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes what the scheduler and kubelet would write about a pod {@code up} runs: its node, then its
 * status (podIP, phase, the Ready condition and its siblings), so the EndpointSlice controller and
 * the informers see it as a cluster would show it.
 *
 * <p><b>Thread-safety:</b> stateless over a thread-safe client; {@link NodePodWatcher}'s worker calls it.
 */
final class PodStatusWriter {
    /** The waiting reason of a container restarted after a backoff, as a kubelet writes it. */
    static final String CRASH_LOOP_BACK_OFF = "CrashLoopBackOff";
    private final KubernetesClient client;
    private final String nodeName;
    private final String hostIp;

    PodStatusWriter(KubernetesClient client, String nodeName, String hostIp) {
        this.client = client;
        this.nodeName = nodeName;
        this.hostIp = hostIp;
    }

    /**
     * Binds an unscheduled pod to this node, as the scheduler of a one-node cluster would (an edit of
     * {@code spec.nodeName}: the embedded API server has no {@code pods/binding}); a pod already bound
     * is left as it is.
     */
    void bind(Pod pod) {
        if (pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
            return;
        }
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .edit(p -> new PodBuilder(p).editOrNewSpec().withNodeName(nodeName).endSpec().build());
    }

    /** The pod runs at {@code podIp}: phase Running, Ready. */
    void running(PodRecord record) {
        final String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.pods().inNamespace(record.namespace()).withName(record.name()).editStatus(p -> new PodBuilder(p)
                .editOrNewStatus()
                .withPhase("Running")
                .withMessage(null) // an earlier attempt's reason
                .withContainerStatuses(List.of())
                .withPodIP(record.podIp())
                .withPodIPs(new PodIP(record.podIp()))
                .withHostIP(hostIp)
                .withStartTime(now)
                .withConditions(conditions("True", now, null))
                .endStatus().build());
    }

    /**
     * The pod's container was restarted and runs again: phase Running, Ready, its container running
     * since {@code startedAt} with {@code restartCount} restarts and how the run before ended.
     */
    void restarted(PodRecord record, String containerName, int restartCount, ContainerExit last, Instant startedAt) {
        final String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        final ContainerStatus container = new ContainerStatusBuilder(containerStatus(containerName, restartCount, last))
                .withReady(true).withStarted(true)
                .withNewState().withNewRunning().withStartedAt(timestamp(startedAt)).endRunning().endState().build();
        client.pods().inNamespace(record.namespace()).withName(record.name()).editStatus(p -> new PodBuilder(p)
                .editOrNewStatus()
                .withPhase("Running")
                .withMessage(null)
                .withContainerStatuses(container)
                .withConditions(conditions("True", now, null))
                .endStatus().build());
    }

    /**
     * The pod's container exited and is restarted after a backoff: phase Running (as a kubelet
     * keeps it), not Ready, its container waiting with reason {@value #CRASH_LOOP_BACK_OFF} and
     * {@code message}, {@code restartCount} restarts so far and how the run ended.
     */
    void crashLoop(String namespace, String name, String containerName, int restartCount, ContainerExit last, String message) {
        final String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        final ContainerStatus container = new ContainerStatusBuilder(containerStatus(containerName, restartCount, last))
                .withNewState().withNewWaiting().withReason(CRASH_LOOP_BACK_OFF).withMessage(message).endWaiting().endState().build();
        client.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p)
                .editOrNewStatus()
                .withPhase("Running")
                .withMessage(null)
                .withContainerStatuses(container)
                .withConditions(conditions("False", now, "containers with unready status: [" + containerName + "]"))
                .endStatus().build());
    }

    /**
     * The pod's container exited and is not restarted ({@code restartPolicy}): phase Succeeded on exit
     * code 0, else Failed, its container terminated as {@code exit} says.
     */
    void terminated(String namespace, String name, String containerName, int restartCount, ContainerExit exit) {
        final String phase = exit.exitCode() == 0 ? "Succeeded" : "Failed";
        final String message = "the container's command exited with code " + exit.exitCode();
        final String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        final ContainerStatus container = new ContainerStatusBuilder().withName(containerName).withReady(false).withStarted(false)
                .withImage("").withImageID("").withRestartCount(restartCount)
                .withNewState().withTerminated(terminated(exit)).endState().build();
        client.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p)
                .editOrNewStatus()
                .withPhase(phase)
                .withMessage(message)
                .withContainerStatuses(container)
                .withConditions(conditions("False", now, message))
                .endStatus().build());
    }

    /** A container status with its name, restart count and last termination; not ready, state to be set by the caller. */
    private static ContainerStatus containerStatus(String containerName, int restartCount, ContainerExit last) {
        return new ContainerStatusBuilder().withName(containerName).withReady(false).withStarted(false)
                .withImage("").withImageID("").withRestartCount(restartCount)
                .withNewLastState().withTerminated(terminated(last)).endLastState().build();
    }

    private static ContainerStateTerminated terminated(ContainerExit exit) {
        return new ContainerStateTerminatedBuilder().withExitCode(exit.exitCode()).withReason(exit.reason())
                .withMessage(exit.message().isEmpty() ? null : exit.message())
                .withStartedAt(timestamp(exit.startedAt())).withFinishedAt(timestamp(exit.finishedAt())).build();
    }

    private static String timestamp(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The pod's command ended ({@code Succeeded} on exit code 0, else {@code Failed}), or never started. */
    void ended(String namespace, String name, String phase, String message) {
        final String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p)
                .editOrNewStatus()
                .withPhase(phase)
                .withMessage(message)
                .withConditions(conditions("False", now, message))
                .endStatus().build());
    }

    /**
     * The pod could not be started and will be tried again: phase Pending, not Ready, its container
     * waiting with {@code reason} (as a kubelet shows a pod in backoff) and {@code message} (why, and when next).
     */
    void waiting(String namespace, String name, String containerName, String reason, String message) {
        final String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p)
                .editOrNewStatus()
                .withPhase("Pending")
                .withMessage(message)
                .withConditions(conditions("False", now, message))
                .withContainerStatuses(new ContainerStatusBuilder().withName(containerName).withReady(false).withStarted(false)
                        .withImage("").withImageID("").withRestartCount(0)
                        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build())
                .endStatus().build());
    }

    private static List<PodCondition> conditions(String ready, String now, String message) {
        final List<PodCondition> conditions = new ArrayList<>();
        for (String type : List.of("PodScheduled", "Initialized")) {
            conditions.add(new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(now).build());
        }
        for (String type : List.of("ContainersReady", "Ready")) {
            conditions.add(new PodConditionBuilder().withType(type).withStatus(ready).withLastTransitionTime(now)
                    .withMessage(message).build());
        }
        return conditions;
    }

    static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
