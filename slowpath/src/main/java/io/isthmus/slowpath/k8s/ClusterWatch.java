package io.isthmus.slowpath.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.SharedInformerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The agent's view of a cluster: one fabric8 client (from a kubeconfig file, or the in-cluster
 * service account when none is given) and one {@link SharedInformerFactory} with informers on
 * {@link #WATCHED} kinds. Informers retry for ever when the API server goes away; after each
 * (re)list they call {@link ResourceEventHandler#onList}, which the reconciler turns into a
 * resynchronisation.
 *
 * <p>Other watchers (the ingress controller) add their informers through {@link #factory()}
 * before {@link #start}, or reuse {@link #client()}.
 *
 * <p><b>Thread-safety:</b> build, start and close from one thread. Handlers run on fabric8's
 * informer threads, one at a time per informer.
 */
public final class ClusterWatch implements AutoCloseable {
    /** The kinds whose objects become fast-path tables (Nodes: for other nodes' pod CIDRs). */
    public static final List<Class<? extends HasMetadata>> WATCHED =
            List.of(Namespace.class, Pod.class, Service.class, EndpointSlice.class, NetworkPolicy.class, Node.class);

    private final KubernetesClient client;
    private final SharedInformerFactory factory;
    private final Map<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>> informers = new LinkedHashMap<>();

    public ClusterWatch(KubernetesClient client) {
        this.client = client;
        this.factory = client.informers();
        for (Class<? extends HasMetadata> kind : WATCHED) {
            final SharedIndexInformer<? extends HasMetadata> informer = factory.sharedIndexInformerFor(kind, 0);
            informer.exceptionHandler((isStarted, failure) -> true); // retry for ever: the API server may come back
            informers.put(kind, informer);
        }
    }

    /** A client from {@code kubeconfig}, or (null) from the environment: in-cluster service account or ~/.kube/config. */
    public static KubernetesClient client(Path kubeconfig) throws java.io.IOException {
        final Config config;
        if (kubeconfig == null) {
            config = Config.autoConfigure(null);
        } else {
            if (!Files.isReadable(kubeconfig)) {
                throw new java.io.FileNotFoundException("kubeconfig " + kubeconfig + " does not exist or cannot be read");
            }
            config = Config.fromKubeconfig(kubeconfig.toFile());
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Adds {@code handler} to every watched kind's informer (before {@link #start}). */
    public void addHandler(ResourceEventHandler<HasMetadata> handler) {
        for (SharedIndexInformer<? extends HasMetadata> informer : informers.values()) {
            informer.addEventHandler(handler);
        }
    }

    /** Starts every informer; waits up to {@code timeout} for their first list, then returns regardless. */
    public boolean start(Duration timeout) throws InterruptedException {
        final var started = factory.startAllRegisteredInformers();
        try {
            started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            return false; // informers keep retrying in the background
        }
    }

    /** Whether every informer has listed at least once. */
    public boolean synced() {
        return informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** The current objects of {@code kind} (the informer's cache). */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> List<T> list(Class<T> kind) {
        return new ArrayList<>((List<T>) informers.get(kind).getStore().list());
    }

    /** One object from the cache by {@code namespace/name} (cluster-scoped: name), or null. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T get(Class<T> kind, String key) {
        return (T) informers.get(kind).getStore().getByKey(key);
    }

    public KubernetesClient client() {
        return client;
    }

    public SharedInformerFactory factory() {
        return factory;
    }

    @Override
    public void close() {
        factory.stopAllRegisteredInformers();
    }
}
