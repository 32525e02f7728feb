package io.isthmus.slowpath.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.slowpath.k8s.ClusterWatch;
import io.isthmus.slowpath.reconcile.DesiredRecords;
import io.isthmus.slowpath.reconcile.Reconciler;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The slow path of an agent that watches an API server: informers ({@link ClusterWatch}) feeding a
 * {@link Reconciler} that sends desired records over the control connection the agent hands it.
 * A restart ({@link #stop} then {@link #start} with a new connection) makes fresh informers and a
 * full resynchronisation.
 *
 * <p><b>Thread-safety:</b> start and stop from the agent's owning thread; {@link #reconciler()}
 * from any (volatile).
 */
public final class KubernetesSlowPath implements SlowPath {
    private static final System.Logger LOG = System.getLogger(KubernetesSlowPath.class.getName());
    private static final Duration FIRST_LIST_WAIT = Duration.ofSeconds(30);

    private final Supplier<KubernetesClient> clients;
    private final String nodeName;
    private volatile KubernetesClient client;
    private volatile ClusterWatch watch;
    private volatile Reconciler reconciler;

    /**
     * @param clients  makes a new client for each start (the slow path closes it on stop)
     * @param nodeName this node: endpoints on it are local
     */
    public KubernetesSlowPath(Supplier<KubernetesClient> clients, String nodeName) {
        this.clients = clients;
        this.nodeName = nodeName;
    }

    @Override
    public void start(FastpathControl control) throws InterruptedException {
        client = clients.get();
        watch = new ClusterWatch(client);
        reconciler = new Reconciler(watch, control, new DesiredRecords(nodeName), () -> { }).start();
        if (!watch.start(FIRST_LIST_WAIT)) {
            LOG.log(System.Logger.Level.WARNING, "the API server did not answer a list in time; the informers keep trying",
                    "server", client.getMasterUrl(), "wait_s", FIRST_LIST_WAIT.toSeconds());
        }
    }

    @Override
    public void stop() {
        if (reconciler != null) {
            reconciler.close();
        }
        if (watch != null) {
            watch.close();
        }
        if (client != null) {
            client.close();
        }
    }

    /** The running reconciler (null before the first start). */
    public Reconciler reconciler() {
        return reconciler;
    }
}
