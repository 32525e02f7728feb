package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet (and one-node scheduler) of {@code isthmus up}: runs every Pod the API server holds
 * for this node, whoever created it ({@code up -f}'s own manifests or {@code kubectl apply} later),
 * and tears down every Pod deleted there.
 *
 * <p><b>Which pods:</b> a fabric8 informer on Pods of every namespace. A Pod whose
 * {@code spec.nodeName} is this node runs here; a Pod with no {@code spec.nodeName} is bound to this
 * node first (the node is the whole cluster, so a scheduler could only choose it; the binding is an
 * edit of {@code spec.nodeName}, as the embedded API server has no {@code pods/binding}
 * subresource); a Pod of another node is left alone (reported as not started, once).
 *
 * <p><b>How:</b> level-triggered, as Kubernetes controllers are. The informer's handlers only note
 * the Pod's key ({@code namespace/name}); one worker thread compares what the informer's cache holds
 * for that key with what runs here ({@link #sync}) and acts over the same paths {@code up -f} always
 * used: {@link PodRunner#start} (network namespace, CNI ADD, the command) and
 * {@link PodStatusWriter#running} (podIP, Ready) for a new Pod; {@link PodRunner#stop} (command
 * ended, CNI DEL, namespace and veth deleted, address released) for a Pod that is gone or is being
 * deleted; both, in that order, for a Pod re-created under the same name (another uid).
 *
 * <p><b>A Pod that does not start:</b> one whose spec {@code up} cannot run (no command, an
 * unsupported field: {@link PodRunner.UnrunnableSpec}), or whose {@code restartPolicy} is
 * {@code Never}, gets phase Failed with the reason as its status message and is not tried again
 * until it is re-created. Any other refusal (the executable is missing, CNI refused it, the address
 * pool is full, ...) is tried again as a kubelet does, after {@link PodStartBackoff} (10 s doubling
 * to 5 min), while the Pod exists, for the same uid, on this node; meanwhile the Pod is Pending,
 * its container waiting with reason {@value #WAITING_REASON} and the cause. Every attempt starts
 * clean: {@link PodRunner#start} undoes whatever it made before it throws. A deleted, re-created
 * or re-scheduled Pod ends the retries of the old one (its next sync finds nothing to retry).
 *
 * <p><b>A container command that exits</b> is handled by the pod's {@code restartPolicy}
 * ({@link ContainerRestart}): {@code Always} (the default) runs it again after any exit,
 * {@code OnFailure} after a non-zero one, in the pod's existing namespace with its address (no
 * new CNI ADD), after the crash backoff ({@link PodStartBackoff}, counted by crashes in a row, from
 * the first wait again once a run lasted {@link ContainerRestart#RESET_AFTER}); meanwhile the pod is
 * Running but not Ready, its container waiting with reason {@code CrashLoopBackOff}, its
 * {@code restartCount} and {@code lastState.terminated} (exit code, Completed/Error) as a kubelet
 * writes them. A pod that is not restarted ends Succeeded (exit code 0) or Failed; its sandbox stays
 * until the Pod is deleted. A deleted, re-created or moved Pod stops its sandbox and its restarts.
 * Noting a key twice before the worker
 * reaches it syncs it once; syncing a key that is already as wanted does nothing. Spec changes of a
 * running Pod (immutable in Kubernetes but for a few fields) are not acted on.
 *
 * <p><b>Thread-safety:</b> informer threads call only {@link #note}; the worker thread ("isthmus-up-pods")
 * alone uses the {@link PodRunner} and writes statuses, until {@link #close} has stopped it; then the
 * closing thread stops the pods still running. {@link #running()}, {@link #failures()} and
 * {@link #awaitHandled} may be called from any thread (the maps are guarded by {@code this}).
 */
final class NodePodWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodePodWatcher.class.getName());
    /** How long {@link #close} waits for a pod start or stop under way before it interrupts it. */
    private static final long WORKER_STOP_TIMEOUT_SECONDS = 90;

    /**
     * A pod that runs here (its sandbox; its command may be between runs), the uid of the API object
     * it runs for, and what its restarts need: the container's name and restart policy, restarts so
     * far, crashes in a row (the backoff's count), when the current run began, how the last one ended.
     */
    private record RunningPod(PodRecord record, String uid, String containerName, String restartPolicy, int restarts,
                              int crashesInRow, Instant startedAt, long startedAtNs, ContainerExit lastExit) {
        static RunningPod started(PodRecord record, String uid, Pod pod) {
            final String container = pod.getSpec() == null || pod.getSpec().getContainers() == null || pod.getSpec().getContainers().isEmpty()
                    ? "" : pod.getSpec().getContainers().getFirst().getName();
            return new RunningPod(record, uid, container, pod.getSpec() == null ? null : pod.getSpec().getRestartPolicy(), 0, 0,
                    Instant.now(), System.nanoTime(), null);
        }

        RunningPod crashed(int crashes, ContainerExit exit) {
            return new RunningPod(record, uid, containerName, restartPolicy, restarts, crashes, startedAt, startedAtNs, exit);
        }

        RunningPod restartedAs(PodRecord restarted, Instant at) {
            return new RunningPod(restarted, uid, containerName, restartPolicy, restarts + 1, crashesInRow, at, System.nanoTime(), lastExit);
        }
    }

    /** The container waiting reason of a Pod in backoff (kubelet's for a container it could not create). */
    static final String WAITING_REASON = "CreateContainerError";

    /**
     * A pod that was not started for the object {@code uid}: refused for good, or to be tried again
     * at {@code retryAtNs} ({@link System#nanoTime()}) after {@code attempts} failed attempts.
     */
    private record Failure(String uid, String reason, boolean refusedForGood, int attempts, long retryAtNs) {
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final PodRunner runner;
    private final PodStatusWriter status;
    private final PrintStream err;
    private final UpState state;
    private final PodStartBackoff backoff;
    private final ScheduledThreadPoolExecutor worker;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** Guarded by {@code this}; insertion order is start order. */
    private final Map<String, RunningPod> running = new LinkedHashMap<>();
    /** Guarded by {@code this}. */
    private final Map<String, Failure> failed = new LinkedHashMap<>();
    private volatile SharedIndexInformer<Pod> informer;
    private volatile boolean closing;

    NodePodWatcher(KubernetesClient client, String nodeName, PodRunner runner, PodStatusWriter status, UpState state, PrintStream err) {
        this(client, nodeName, runner, status, state, PodStartBackoff.KUBELET, err);
    }

    NodePodWatcher(KubernetesClient client, String nodeName, PodRunner runner, PodStatusWriter status, UpState state,
                   PodStartBackoff backoff, PrintStream err) {
        this.client = client;
        this.backoff = backoff;
        this.nodeName = nodeName;
        this.runner = runner;
        this.status = status;
        this.state = state;
        this.err = err;
        this.worker = new ScheduledThreadPoolExecutor(1, task -> {
            final Thread thread = new Thread(task, "isthmus-up-pods");
            thread.setDaemon(true);
            return thread;
        });
        worker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // retries not yet due end with the session
        worker.setRemoveOnCancelPolicy(true);
    }

    /** Starts the informer (its first list included): from here on every Pod of the API server is followed. */
    NodePodWatcher start() {
        final SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().runnableInformer(0);
        pods.exceptionHandler((started, failure) -> true); // keep watching through a lost connection
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                note(Cache.metaNamespaceKeyFunc(pod));
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                note(Cache.metaNamespaceKeyFunc(after));
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                note(Cache.metaNamespaceKeyFunc(pod));
            }
        });
        informer = pods;
        pods.run();
        return this;
    }

    /** Schedules a sync of {@code key} on the worker, unless one is already waiting. */
    void note(String key) {
        if (closing || !pending.add(key)) {
            return;
        }
        try {
            worker.execute(() -> {
                pending.remove(key); // before the sync: a change noted meanwhile gets a sync of its own
                try {
                    sync(key);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "syncing a pod failed", "pod", key, "error", e.toString());
                }
            });
        } catch (RejectedExecutionException e) { // closing
            pending.remove(key);
        }
    }

    /** Worker: makes what runs for {@code key} what the API server holds for it. */
    private void sync(String key) {
        if (closing) {
            return;
        }
        final Pod pod = informer.getStore().getByKey(key);
        final boolean wanted = pod != null && pod.getMetadata().getDeletionTimestamp() == null;
        final String uid = pod == null ? null : uid(pod);
        final RunningPod current = runningPod(key);
        final String assignedNow = pod == null || pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        final boolean elsewhere = assignedNow != null && !assignedNow.isEmpty() && !assignedNow.equals(nodeName);
        if (current != null && (!wanted || !current.uid().equals(uid) || elsewhere)) {
            stop(key, current, !wanted ? "deleted" : !current.uid().equals(uid) ? "re-created" : "moved to node " + assignedNow);
        }
        if (!wanted) {
            synchronized (this) {
                failed.remove(key);
            }
            return;
        }
        final Failure failure;
        synchronized (this) {
            if (running.containsKey(key)) {
                return; // as wanted already
            }
            failure = failed.get(key);
        }
        final Failure earlier = failure != null && failure.uid().equals(uid) ? failure : null; // of this very object
        if (earlier != null && earlier.refusedForGood()) {
            return; // refused for good
        }
        final String assigned = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (assigned != null && !assigned.isEmpty() && !assigned.equals(nodeName)) {
            fail(key, uid, "scheduled to node " + assigned + ", this node is " + nodeName, false); // ends its retries too
            return;
        }
        if (earlier != null) {
            final long waitNs = earlier.retryAtNs() - System.nanoTime();
            if (waitNs > 0) { // an update meanwhile (our own status write, say) does not hurry the backoff
                return;
            }
        }
        start(key, uid, pod, earlier == null ? 0 : earlier.attempts());
    }

    private void start(String key, String uid, Pod pod, int failedAttempts) {
        final PodRecord record;
        try {
            status.bind(pod);
            record = runner.start(pod);
        } catch (PodRunner.UnrunnableSpec e) {
            fail(key, uid, e.getMessage(), true);
            return;
        } catch (IOException | RuntimeException e) {
            final String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if ("Never".equals(pod.getSpec() == null ? null : pod.getSpec().getRestartPolicy())) {
                fail(key, uid, reason + " (restartPolicy Never: not tried again)", true);
            } else {
                retryLater(key, uid, pod, reason, failedAttempts + 1);
            }
            return;
        }
        synchronized (this) {
            running.put(key, RunningPod.started(record, uid, pod));
            failed.remove(key);
            notifyAll();
        }
        try {
            status.running(record);
        } catch (RuntimeException e) { // deleted meanwhile: the delete's own sync stops it
            err.println("isthmus up: cannot write the status of Pod " + key + ": " + e.getMessage());
        }
        watchExit(key, record);
    }

    /** Has {@link #containerEnded} called once the command {@code record} started exits. */
    private void watchExit(String key, PodRecord record) {
        runner.exitCode(record).thenAccept(exitCode -> containerEnded(key, record, exitCode, Instant.now()));
    }

    /** Reports the refusal, writes it as the pod's status (unless the pod is another node's), then counts the pod as handled. */
    private void fail(String key, String uid, String reason, boolean writeStatus) {
        err.println("isthmus up: Pod " + key + " did not start: " + reason);
        if (writeStatus) {
            final int slash = key.indexOf('/');
            try {
                status.ended(key.substring(0, slash), key.substring(slash + 1), "Failed", reason);
            } catch (RuntimeException statusFailure) {
                err.println("isthmus up: cannot write the status of Pod " + key + ": " + statusFailure.getMessage());
            }
        }
        synchronized (this) {
            failed.put(key, new Failure(uid, reason, true, 0, 0));
            notifyAll();
        }
    }

    /** Reports the refusal, writes the pod as Pending (waiting, with why and when next) and schedules its next attempt. */
    private void retryLater(String key, String uid, Pod pod, String reason, int attempts) {
        final Duration delay = backoff.delayAfter(attempts);
        final String next = "attempt " + attempts + " failed; trying again in " + describe(delay);
        err.println("isthmus up: Pod " + key + " did not start: " + reason + " (" + next + ")");
        final String container = pod.getSpec() == null || pod.getSpec().getContainers() == null || pod.getSpec().getContainers().isEmpty()
                ? "" : pod.getSpec().getContainers().getFirst().getName();
        try {
            status.waiting(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), container, WAITING_REASON, reason + " (" + next + ")");
        } catch (RuntimeException statusFailure) {
            err.println("isthmus up: cannot write the status of Pod " + key + ": " + statusFailure.getMessage());
        }
        synchronized (this) {
            failed.put(key, new Failure(uid, reason, false, attempts, System.nanoTime() + delay.toNanos()));
            notifyAll();
        }
        try {
            worker.schedule(() -> note(key), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing: no more attempts
        }
    }

    private static String describe(Duration delay) {
        return delay.toMillis() % 1000 == 0 ? delay.toSeconds() + " s" : delay.toMillis() + " ms";
    }

    /** Worker (or the closing thread once the worker stopped): ends the pod and takes its network away. */
    private void stop(String key, RunningPod current, String why) {
        synchronized (this) {
            running.remove(key); // first: its command's exit is then no longer reported as a failure
        }
        LOG.log(System.Logger.Level.INFO, "stopping a pod", "pod", key, "why", why, "netns", current.record().netnsName(),
                "ip", current.record().podIp());
        try {
            runner.stop(current.record());
        } catch (IOException | RuntimeException e) {
            err.println("isthmus up: stopping Pod " + key + ": " + e.getMessage());
        }
    }

    /**
     * A container command ended by itself (any thread): on the worker, unless the pod was stopped on
     * purpose meanwhile, the restart policy decides ({@link ContainerRestart}): the pod ends
     * (Succeeded or Failed; its namespace stays until the pod is deleted or up ends) or the command
     * is run again after the crash backoff, the pod in CrashLoopBackOff meanwhile.
     */
    private void containerEnded(String key, PodRecord record, int exitCode, Instant finishedAt) {
        try {
            worker.execute(() -> {
                final RunningPod current = runningPod(key);
                if (closing || current == null || current.record() != record) {
                    return; // stopped on purpose
                }
                afterExit(key, current, ContainerExit.exited(exitCode, current.startedAt(), finishedAt),
                        Duration.ofNanos(System.nanoTime() - current.startedAtNs()));
            });
        } catch (RejectedExecutionException e) {
            // closing: nothing to report
        }
    }

    /** Worker: the pod's command ended as {@code exit} says after running {@code ranFor}; ends the pod or schedules a restart. */
    private void afterExit(String key, RunningPod current, ContainerExit exit, Duration ranFor) {
        final PodRecord record = current.record();
        final String log = state.podLog(record.namespace(), record.name()).toString();
        final String how = exit.reason().equals("StartError") ? "could not be started again: " + exit.message()
                : "exited with code " + exit.exitCode();
        final ContainerRestart.Outcome outcome = ContainerRestart.after(current.restartPolicy(), exit.exitCode());
        if (outcome != ContainerRestart.Outcome.RESTART) {
            final String phase = outcome == ContainerRestart.Outcome.SUCCEEDED ? "Succeeded" : "Failed";
            err.println("isthmus up: the command of Pod " + key + " " + how + "; the pod is " + phase + " (restartPolicy "
                    + (current.restartPolicy() == null ? "Always" : current.restartPolicy()) + "); its output is in " + log);
            try {
                status.terminated(record.namespace(), record.name(), current.containerName(), current.restarts(), exit);
            } catch (RuntimeException e) {
                err.println("isthmus up: cannot write the status of Pod " + key + ": " + e.getMessage());
            }
            return;
        }
        final int crashes = ContainerRestart.crashesInRow(current.crashesInRow(), ranFor);
        final Duration delay = backoff.delayAfter(crashes);
        final String message = "back-off " + describe(delay) + " restarting failed container=" + current.containerName() + " pod=" + key;
        err.println("isthmus up: the command of Pod " + key + " " + how + "; restart " + (current.restarts() + 1) + " in "
                + describe(delay) + "; its output is in " + log);
        final RunningPod crashed = current.crashed(crashes, exit);
        synchronized (this) {
            running.put(key, crashed);
        }
        try {
            status.crashLoop(record.namespace(), record.name(), current.containerName(), current.restarts(), exit, message);
        } catch (RuntimeException e) {
            err.println("isthmus up: cannot write the status of Pod " + key + ": " + e.getMessage());
        }
        try {
            worker.schedule(() -> restart(key, record), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing: no more restarts
        }
    }

    /**
     * Worker: runs the command of the pod whose run {@code crashed} ended again, in its namespace, if
     * the pod is still that run's: not stopped, deleted, re-created or moved meanwhile (their syncs
     * stop the sandbox; a restart now would outlive it).
     */
    private void restart(String key, PodRecord crashed) {
        final RunningPod current = runningPod(key);
        if (closing || current == null || current.record() != crashed) {
            return;
        }
        final Pod pod = informer.getStore().getByKey(key);
        final String assigned = pod == null || pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (pod == null || pod.getMetadata().getDeletionTimestamp() != null || !uid(pod).equals(current.uid())
                || (assigned != null && !assigned.isEmpty() && !assigned.equals(nodeName))) {
            return;
        }
        if (!Files.exists(crashed.netnsPath())) { // removed from under the session (a 'down' meant for a crashed one): nothing to run in
            stop(key, current, "its network namespace is gone");
            fail(key, current.uid(), "the pod's network namespace " + crashed.netnsName() + " was removed while its command was"
                    + " between runs; not restarted (delete and re-apply the pod)", true);
            return;
        }
        final PodRecord restarted;
        try {
            restarted = runner.restart(pod, crashed);
        } catch (IOException | RuntimeException e) {
            afterExit(key, current, ContainerExit.startError(e.getMessage() == null ? e.toString() : e.getMessage(), Instant.now()), Duration.ZERO);
            return;
        }
        final RunningPod now = current.restartedAs(restarted, Instant.now());
        synchronized (this) {
            running.put(key, now);
        }
        LOG.log(System.Logger.Level.INFO, "restarted a pod's command", "pod", key, "restarts", now.restarts(), "pid", restarted.pid());
        try {
            status.restarted(restarted, now.containerName(), now.restarts(), now.lastExit(), now.startedAt());
        } catch (RuntimeException e) {
            err.println("isthmus up: cannot write the status of Pod " + key + ": " + e.getMessage());
        }
        watchExit(key, restarted);
    }

    private synchronized RunningPod runningPod(String key) {
        return running.get(key);
    }

    private static String uid(Pod pod) {
        final String uid = pod.getMetadata().getUid();
        return uid != null && !uid.isEmpty() ? uid
                : Cache.metaNamespaceKeyFunc(pod) + "@" + pod.getMetadata().getCreationTimestamp();
    }

    /** The pods running here, in start order. */
    synchronized List<PodRecord> running() {
        return running.values().stream().map(RunningPod::record).toList();
    }

    /** The pods refused for good, {@code namespace/name: reason}. */
    synchronized List<String> failures() {
        final List<String> failures = new ArrayList<>();
        failed.forEach((key, failure) -> {
            if (failure.refusedForGood()) {
                failures.add(key + ": " + failure.reason());
            }
        });
        return failures;
    }

    /** The pods that did not start yet and will be tried again, {@code namespace/name: reason (attempts)}. */
    synchronized List<String> retrying() {
        final List<String> retrying = new ArrayList<>();
        failed.forEach((key, failure) -> {
            if (!failure.refusedForGood()) {
                retrying.add(key + ": " + failure.reason() + " (" + failure.attempts() + " attempts so far, tried again with backoff)");
            }
        });
        return retrying;
    }

    /**
     * Waits until every pod of {@code keys} runs, was refused or is waiting to be tried again; throws naming those still waiting
     * after {@code timeout}.
     */
    synchronized void awaitHandled(Collection<String> keys, Duration timeout) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            final List<String> waiting = keys.stream().filter(k -> !running.containsKey(k) && !failed.containsKey(k)).toList();
            if (waiting.isEmpty()) {
                return;
            }
            final long leftNs = deadline - System.nanoTime();
            if (leftNs <= 0) {
                throw new IOException("Pods not started within " + timeout.toSeconds() + " s: " + waiting);
            }
            TimeUnit.NANOSECONDS.timedWait(this, leftNs);
        }
    }

    /**
     * What a crash of the session leaves, for tests of {@code down}: the watcher and its worker stop
     * at once, the pods keep running and nothing is undone (no restart either).
     */
    void abandon() {
        closing = true;
        final SharedIndexInformer<Pod> pods = informer;
        if (pods != null) {
            pods.close();
        }
        worker.shutdownNow();
    }

    /**
     * Stops watching, lets the worker finish the pod it is starting or stopping (interrupted after
     * 90 s), then stops every pod still running, newest first (while the agent still answers CNI DEL).
     */
    @Override
    public void close() {
        closing = true;
        final SharedIndexInformer<Pod> pods = informer;
        if (pods != null) {
            try {
                pods.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "stopping the pod informer failed", "error", e.toString());
            }
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(WORKER_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                err.println("isthmus up: a pod start did not finish in " + WORKER_STOP_TIMEOUT_SECONDS + " s; interrupting it");
                worker.shutdownNow();
                worker.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final List<Map.Entry<String, RunningPod>> left;
        synchronized (this) {
            left = new ArrayList<>(running.entrySet());
        }
        for (Map.Entry<String, RunningPod> pod : left.reversed()) {
            stop(pod.getKey(), pod.getValue(), "up is ending");
        }
    }
}
