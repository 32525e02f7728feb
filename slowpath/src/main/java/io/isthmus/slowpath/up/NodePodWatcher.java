package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
 * deleted; both, in that order, for a Pod re-created under the same name (another uid). A Pod that
 * cannot run (no command, an unsupported field, CNI refused it) gets phase Failed with the reason as
 * its status message and is not retried until it is re-created. Noting a key twice before the worker
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

    /** A pod that runs here, and the uid of the API object it runs for. */
    private record RunningPod(PodRecord record, String uid) {
    }

    /** A pod that was not started (never retried for the same uid). */
    private record Failure(String uid, String reason) {
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final PodRunner runner;
    private final PodStatusWriter status;
    private final PrintStream err;
    private final UpState state;
    private final ExecutorService worker;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** Guarded by {@code this}; insertion order is start order. */
    private final Map<String, RunningPod> running = new LinkedHashMap<>();
    /** Guarded by {@code this}. */
    private final Map<String, Failure> failed = new LinkedHashMap<>();
    private volatile SharedIndexInformer<Pod> informer;
    private volatile boolean closing;

    NodePodWatcher(KubernetesClient client, String nodeName, PodRunner runner, PodStatusWriter status, UpState state, PrintStream err) {
        this.client = client;
        this.nodeName = nodeName;
        this.runner = runner;
        this.status = status;
        this.state = state;
        this.err = err;
        this.worker = Executors.newSingleThreadExecutor(task -> {
            final Thread thread = new Thread(task, "isthmus-up-pods");
            thread.setDaemon(true);
            return thread;
        });
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
        if (current != null && (!wanted || !current.uid().equals(uid))) {
            stop(key, current, wanted ? "re-created" : "deleted");
        }
        if (!wanted) {
            synchronized (this) {
                failed.remove(key);
            }
            return;
        }
        synchronized (this) {
            final Failure failure = failed.get(key);
            if (running.containsKey(key) || failure != null && failure.uid().equals(uid)) {
                return; // as wanted already, or refused for this very object
            }
        }
        final String assigned = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (assigned != null && !assigned.isEmpty() && !assigned.equals(nodeName)) {
            fail(key, uid, "scheduled to node " + assigned + ", this node is " + nodeName, false);
            return;
        }
        start(key, uid, pod);
    }

    private void start(String key, String uid, Pod pod) {
        final PodRecord record;
        try {
            status.bind(pod);
            record = runner.start(pod);
        } catch (IOException | RuntimeException e) {
            fail(key, uid, e.getMessage(), true);
            return;
        }
        synchronized (this) {
            running.put(key, new RunningPod(record, uid));
            failed.remove(key);
            notifyAll();
        }
        try {
            status.running(record);
        } catch (RuntimeException e) { // deleted meanwhile: the delete's own sync stops it
            err.println("isthmus up: cannot write the status of Pod " + key + ": " + e.getMessage());
        }
        ProcessHandle.of(record.pid()).ifPresent(process -> process.onExit().thenRun(() -> containerEnded(key, record)));
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
            failed.put(key, new Failure(uid, reason));
            notifyAll();
        }
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

    /** A container command ended by itself: the pod is Failed (its namespace stays until the pod is deleted or up ends). */
    private void containerEnded(String key, PodRecord record) {
        try {
            worker.execute(() -> {
                final RunningPod current = runningPod(key);
                if (closing || current == null || current.record() != record) {
                    return; // stopped on purpose
                }
                err.println("isthmus up: the command of Pod " + key + " ended; its output is in " + state.podLog(record.namespace(), record.name()));
                try {
                    status.ended(record.namespace(), record.name(), "Failed", "the container's command ended");
                } catch (RuntimeException e) {
                    err.println("isthmus up: cannot write the status of Pod " + key + ": " + e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: nothing to report
        }
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

    /** The pods that were not started, {@code namespace/name: reason}. */
    synchronized List<String> failures() {
        final List<String> failures = new ArrayList<>();
        failed.forEach((key, failure) -> failures.add(key + ": " + failure.reason()));
        return failures;
    }

    /**
     * Waits until every pod of {@code keys} runs or was refused; throws naming those still waiting
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
