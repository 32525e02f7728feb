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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The agent's view of a cluster: one fabric8 client (from a kubeconfig file, or the in-cluster
 * service account when none is given) and informers on the {@link #WATCHED} kinds. Handlers
 * get every add, update and delete, and {@link ResourceEventHandler#onList} after each list,
 * which the reconciler turns into a resynchronisation.
 *
 * <p><b>An API server that goes away.</b> Informers retry for ever. A watch that comes back
 * resumes from its last resource version, which misses what changed meanwhile when the server
 * lost its state (the embedded server, an etcd restored from backup). So when the watches were
 * down for longer than {@link #LOST_AFTER} and are back, {@link #checkConnection()} replaces
 * every informer by a new one: a fresh list, then a resynchronisation.
 *
 * <p>Other watchers (the ingress controller) use {@link #client()} and their own informers.
 *
 * <p><b>Thread-safety:</b> build, start, {@link #checkConnection()} and close from one thread
 * (the reconciler's, after start). {@link #get} and {@link #list} read the current informers'
 * caches from any thread. Handlers run on fabric8's informer threads.
 */
public final class ClusterWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterWatch.class.getName());
    /** The kinds whose objects become fast-path tables (Nodes: for other nodes' pod CIDRs). */
    public static final List<Class<? extends HasMetadata>> WATCHED =
            List.of(Namespace.class, Pod.class, Service.class, EndpointSlice.class, NetworkPolicy.class, Node.class);
    /** How long every watch must have been down before a reconnection means a fresh list. */
    public static final Duration LOST_AFTER = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final List<ResourceEventHandler<HasMetadata>> handlers = new CopyOnWriteArrayList<>();
    private volatile SharedInformerFactory factory;
    private volatile Map<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>> informers;
    private long downSinceNs = -1;
    private boolean lost;
    /** New informers are not watching until their first list is done: that is not an outage. */
    private boolean awaitingFirstWatch = true;
    private long relists;

    public ClusterWatch(KubernetesClient client) {
        this.client = client;
        build();
    }

    private void build() {
        final SharedInformerFactory next = client.informers();
        final Map<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>> map = new LinkedHashMap<>();
        for (Class<? extends HasMetadata> kind : WATCHED) {
            final SharedIndexInformer<? extends HasMetadata> informer = next.sharedIndexInformerFor(kind, 0);
            informer.exceptionHandler((isStarted, failure) -> true); // retry for ever: the API server may come back
            handlers.forEach(informer::addEventHandler);
            map.put(kind, informer);
        }
        this.factory = next;
        this.informers = map;
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

    /** Adds {@code handler} to every watched kind's informer (before {@link #start}); kept across re-lists. */
    public void addHandler(ResourceEventHandler<HasMetadata> handler) {
        handlers.add(handler);
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

    /**
     * Notes whether the watches are up; after they were all down for {@link #LOST_AFTER} and one
     * is back, replaces the informers (fresh lists). Returns true when it did. Call it regularly.
     */
    public boolean checkConnection() {
        final boolean anyWatching = informers.values().stream().anyMatch(SharedIndexInformer::isWatching);
        final long nowNs = System.nanoTime();
        if (awaitingFirstWatch) {
            awaitingFirstWatch = !anyWatching;
            return false;
        }
        if (!anyWatching) {
            if (downSinceNs < 0) {
                downSinceNs = nowNs;
            } else if (nowNs - downSinceNs >= LOST_AFTER.toNanos()) {
                lost = true;
            }
            return false;
        }
        downSinceNs = -1;
        if (!lost) {
            return false;
        }
        lost = false;
        relists++;
        LOG.info("the API server is back after losing the watches: listing everything again");
        final SharedInformerFactory old = factory;
        build();
        awaitingFirstWatch = true;
        factory.startAllRegisteredInformers();
        old.stopAllRegisteredInformers();
        return true;
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

    /** Times the informers were replaced after a lost connection. */
    public long relists() {
        return relists;
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        factory.stopAllRegisteredInformers();
    }
}
