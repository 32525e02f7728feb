package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.isthmus.slowpath.manifest.Manifest;
import io.isthmus.slowpath.manifest.ManifestDirectory;
import io.isthmus.slowpath.manifest.ManifestError;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One run of {@code isthmus up}: starts the agent, starts the node's pod watcher
 * ({@link NodePodWatcher}: every Pod of the API server for this node, or not yet bound to a node,
 * is run through {@link PodRunner}, and torn down when deleted), loads the manifest directory into
 * the API server, waits until each of its Pods runs or was refused, then until the fast path's
 * tables follow, and writes the kubeconfig and the {@code ready} file. Pods applied later with
 * kubectl run the same way for as long as the session lives. {@link #close} undoes everything in
 * reverse; {@link Teardown} does the same from the state directory alone.
 *
 * <p><b>Thread-safety:</b> {@link #start} and {@link #close} are called from one thread (the
 * latter possibly from the shutdown hook, once the former has returned or failed); pods are
 * started and stopped by the watcher's own worker thread, which {@link #close} stops first.
 */
public final class UpSession implements AutoCloseable {
    private static final Duration PROGRAMMED_TIMEOUT = Duration.ofSeconds(60);
    /** The manifest's pods must all run (or be refused) within this plus half of it per pod (one CNI ADD may take 60 s). */
    private static final long POD_START_TIMEOUT_SECONDS = 60;

    /**
     * @param manifestDir the directory (or file) of Kubernetes YAML
     * @param nodeName    this node's name, as pods' spec.nodeName
     * @param hostIp      the node's address, as pods' status.hostIP
     * @param netnsPrefix what the pods' namespace names start with ({@link NetworkNamespaces#PREFIX})
     * @param podBackoff  how long to wait before trying again a pod that did not start
     */
    public record Options(Path manifestDir, String nodeName, String hostIp, String netnsPrefix, PodStartBackoff podBackoff) {
        /** With kubelet's backoff ({@link PodStartBackoff#KUBELET}). */
        public Options(Path manifestDir, String nodeName, String hostIp, String netnsPrefix) {
            this(manifestDir, nodeName, hostIp, netnsPrefix, PodStartBackoff.KUBELET);
        }
    }

    private final UpState state;
    private final PrintStream out;
    private final PrintStream err;
    private final List<String> skipped = new ArrayList<>();
    private UpAgent agent;
    private NodePodWatcher pods;

    private UpSession(UpState state, PrintStream out, PrintStream err) {
        this.state = state;
        this.out = out;
        this.err = err;
    }

    /**
     * Brings the directory up. The CNI plugin must already be installed in {@code state.cniBinDir()}.
     * On failure, whatever was made is undone before the exception leaves.
     */
    public static UpSession start(Options options, UpState state, UpAgent.Launcher launcher, PrintStream out, PrintStream err) throws Exception {
        final UpSession session = new UpSession(state, out, err);
        try {
            session.bringUp(options, launcher);
            return session;
        } catch (Exception | Error e) {
            try {
                session.close();
            } catch (RuntimeException cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e;
        }
    }

    private void bringUp(Options options, UpAgent.Launcher launcher) throws Exception {
        final ManifestDirectory manifests = ManifestDirectory.load(options.manifestDir());
        state.createDirectories();
        UpState.writeAtomically(state.pidFile(), ProcessHandle.current().pid() + "\n");
        CniPluginRunner.writeIsthmusConflist(state.cniConflist());

        agent = launcher.start(state);
        UpState.writeAtomically(state.leftoversFile(), agent.leftovers().stream().map(Path::toString).collect(Collectors.joining("\n", "", "\n")));
        agent.writeKubeconfig(state.kubeconfig());
        if (agent.metrics().isPresent()) {
            UpState.writeAtomically(state.metricsUrlFile(), agent.metrics().get() + "\n");
        }
        final PodRunner runner = new PodRunner(state, new CniPluginRunner(state.cniConflist(), List.of(state.cniBinDir()),
                Map.of("ISTHMUS_CNI_SOCKET", agent.cniSocket().toString())), options.nodeName(), options.netnsPrefix(),
                agent.clusterDnsIp());
        pods = new NodePodWatcher(agent.client(), options.nodeName(), runner,
                new PodStatusWriter(agent.client(), options.nodeName(), options.hostIp()), state, options.podBackoff(), err).start();

        for (ManifestError error : manifests.errors()) {
            skipped.add(error.toString());
            err.println("isthmus up: skipped " + error);
        }
        final List<String> applied = apply(agent.client(), manifests.manifests()).stream()
                .map(pod -> pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()).toList();
        pods.awaitHandled(applied, Duration.ofSeconds(POD_START_TIMEOUT_SECONDS + POD_START_TIMEOUT_SECONDS / 2 * applied.size()));
        agent.awaitProgrammed(PROGRAMMED_TIMEOUT);
        UpState.writeAtomically(state.readyFile(), summary(options));
    }

    /** Creates (or updates) every object in the API server, namespaces first; returns the Pods. */
    private List<Pod> apply(KubernetesClient client, List<Manifest> manifests) {
        final Set<String> namespaces = new LinkedHashSet<>();
        for (Manifest manifest : manifests) {
            if (manifest.object() instanceof Namespace namespace) {
                createOrUpdate(client, manifest, namespace);
            }
        }
        for (Manifest manifest : manifests) {
            final String namespace = manifest.object().getMetadata().getNamespace();
            if (namespace != null && !namespace.isEmpty() && namespaces.add(namespace)
                    && client.namespaces().withName(namespace).get() == null) { // as kubectl apply would need it
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
            }
        }
        final List<Pod> pods = new ArrayList<>();
        for (Manifest manifest : manifests) {
            final HasMetadata object = manifest.object();
            if (object instanceof Namespace) {
                continue;
            }
            if (createOrUpdate(client, manifest, object) && object instanceof Pod pod) {
                pods.add(pod);
            }
        }
        return pods;
    }

    private boolean createOrUpdate(KubernetesClient client, Manifest manifest, HasMetadata object) {
        try {
            if (object.getMetadata().getNamespace() == null && object instanceof Namespaced) { // as kubectl apply does
                object.getMetadata().setNamespace("default");
            }
            client.resource(object).createOr(NonDeletingOperation::update);
            return true;
        } catch (RuntimeException e) {
            final String refusal = manifest.file() + " document " + manifest.documentIndex() + " (" + manifest.describe()
                    + "): the API server refused it: " + e.getMessage();
            skipped.add(refusal);
            err.println("isthmus up: " + refusal);
            return false;
        }
    }

    /** What a person needs next: the pods, the kubeconfig and commands to try. */
    private String summary(Options options) {
        final StringBuilder text = new StringBuilder();
        final List<PodRecord> running = pods.running();
        text.append("isthmus up: ").append(running.size()).append(" pods running from ").append(options.manifestDir()).append('\n');
        for (String failure : pods.failures()) {
            text.append("  FAILED ").append(failure).append('\n');
        }
        for (String waiting : pods.retrying()) {
            text.append("  WAITING ").append(waiting).append('\n');
        }
        for (String document : skipped) {
            text.append("  SKIPPED ").append(document).append('\n');
        }
        agent.uplink().ifPresent(uplink -> text.append("  uplink ").append(uplink)
                .append(" (NodePorts, externalIPs and LoadBalancer IPs answer from outside the node)\n"));
        for (PodRecord record : running) {
            text.append(String.format("  %-28s %-15s log %s%n", record.key(), record.podIp(), state.podLog(record.namespace(), record.name())));
        }
        text.append("Pods applied later through the API server run too (kubectl apply; kubectl delete tears them down).\n")
                .append("kubeconfig: ").append(state.kubeconfig()).append('\n')
                .append("  kubectl --kubeconfig ").append(state.kubeconfig()).append(" get pods,services,endpointslices -A -o wide\n")
                .append("  ./isthmus exec NAMESPACE/POD -- COMMAND...   (e.g. -- curl -s http://SERVICE_IP/)\n")
                .append("  ./isthmus status\n")
                .append("  ./isthmus down\n");
        return text.toString();
    }

    /** The pods refused for good (they are not tried again), each with why ({@code namespace/name: reason}). */
    public List<String> failedPods() {
        return pods == null ? List.of() : pods.failures();
    }

    /** The pods that did not start yet and are tried again with backoff, each with why ({@code namespace/name: reason (...)}). */
    public List<String> retryingPods() {
        return pods == null ? List.of() : pods.retrying();
    }

    /** The pods that run now (the manifest's and those applied later), in start order. */
    public List<PodRecord> pods() {
        return pods == null ? List.of() : pods.running();
    }

    public String summaryText() throws IOException {
        return Files.readString(state.readyFile());
    }

    /** For tests of {@code down}: leaves what a crashed session leaves (pods running, nothing watching them, the agent as it is). */
    void abandonAsACrashWould() {
        if (pods != null) {
            pods.abandon();
        }
    }

    /** Undoes everything: the pod watcher and its pods in reverse order (while the agent still serves CNI DEL), the agent, its leftovers, the state. */
    @Override
    public void close() {
        if (pods != null) {
            pods.close();
        }
        if (agent != null) {
            try {
                agent.close();
            } catch (RuntimeException e) {
                err.println("isthmus up: stopping the agent: " + e.getMessage());
            }
        }
        try {
            Teardown.removeLeftoversAndState(state, err);
        } catch (IOException e) {
            err.println("isthmus up: removing " + state.dir() + ": " + e.getMessage());
        }
    }

    static List<String> lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.map(String::strip).filter(l -> !l.isEmpty()).toList();
        }
    }
}
