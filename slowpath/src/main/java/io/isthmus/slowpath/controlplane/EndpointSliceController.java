package io.isthmus.slowpath.controlplane;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.SharedInformerFactory;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.isthmus.slowpath.k8s.CoalescingLoop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The endpoint-slice controller for the embedded API server: watches Services and Pods, derives
 * each Service's slices from its selector and its Pods' readiness ({@link EndpointSliceDerivation},
 * the same code the offline DNS zone uses) and writes them to the API server (create, update,
 * delete), labelled {@code endpointslice.kubernetes.io/managed-by: isthmus.io/endpoint-derivation}.
 * Informers (the reconciler's, kubectl's) then see them as in a real cluster. Slices it did not
 * write (other managers, hand-written ones) are never touched.
 *
 * <p>A change notes the Services it may affect (a Pod: the Services of its namespace whose selector
 * matches its labels, before or after the change); one
 * thread drains the noted Services and writes only slices whose content differs.
 *
 * <p><b>Thread-safety:</b> informer handlers only touch the concurrent dirty set; the controller
 * thread does all reads of the caches and all writes to the API server.
 */
public final class EndpointSliceController implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EndpointSliceController.class.getName());

    private final KubernetesClient client;
    private final SharedInformerFactory factory;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicLong writes = new AtomicLong();
    private final CoalescingLoop loop;

    public EndpointSliceController(KubernetesClient client) {
        this.client = client;
        this.factory = client.informers();
        this.services = factory.sharedIndexInformerFor(Service.class, 0);
        this.pods = factory.sharedIndexInformerFor(Pod.class, 0);
        this.slices = factory.sharedIndexInformerFor(EndpointSlice.class, 0);
        for (SharedIndexInformer<? extends HasMetadata> informer : List.of(services, pods, slices)) {
            informer.exceptionHandler((isStarted, failure) -> true);
        }
        this.loop = new CoalescingLoop("isthmus-endpointslices", 500, this::pass, e -> LOG.severe("endpoint slice controller: " + e));
        services.addEventHandler(handler(service -> dirty.add(key(service))));
        pods.addEventHandler(handler(this::noteServicesSelecting));
        slices.addEventHandler(handler(slice -> {
            final String service = slice.getMetadata().getLabels() == null ? null
                    : slice.getMetadata().getLabels().get(EndpointSliceDerivation.SERVICE_NAME_LABEL);
            if (service != null && isOurs(slice)) {
                dirty.add(namespaceOf(slice) + "/" + service); // someone edited our slice: put it back
            }
        }));
    }

    /** The Services of the Pod's namespace whose selector matches its labels (a label change: called for both versions). */
    private void noteServicesSelecting(Pod pod) {
        final Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        for (Service service : services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespaceOf(pod))) {
            final Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
            if (selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet())) {
                dirty.add(key(service));
            }
        }
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(java.util.function.Consumer<T> noted) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                noted.accept(object);
                loop.wake();
            }

            @Override
            public void onUpdate(T before, T after) {
                noted.accept(before); // a Pod whose labels changed leaves the Services of its old labels
                noted.accept(after);
                loop.wake();
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                noted.accept(object);
                loop.wake();
            }
        };
    }

    public EndpointSliceController start() {
        factory.startAllRegisteredInformers();
        loop.start();
        return this;
    }

    /** One wake of the controller thread: once the caches are synced, syncs every noted Service. */
    private void pass() {
        if (!services.hasSynced() || !pods.hasSynced() || !slices.hasSynced()) {
            return;
        }
        final List<String> batch = new ArrayList<>(dirty);
        dirty.removeAll(batch);
        for (String serviceKey : batch) {
            try {
                sync(serviceKey);
            } catch (KubernetesClientException e) {
                LOG.warning("endpoint slices of Service " + serviceKey + ": " + e.getMessage() + "; will retry");
                dirty.add(serviceKey);
            }
        }
    }

    /** Makes the API server hold exactly the derived slices of one Service. */
    private void sync(String serviceKey) {
        final String namespace = serviceKey.substring(0, serviceKey.indexOf('/'));
        final String name = serviceKey.substring(serviceKey.indexOf('/') + 1);
        final Service service = services.getStore().getByKey(serviceKey);
        final List<EndpointSlice> wanted = service == null ? List.of()
                : EndpointSliceDerivation.derive(service, pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace));
        final Map<String, EndpointSlice> existing = new HashMap<>();
        for (EndpointSlice slice : slices.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
            final Map<String, String> labels = slice.getMetadata().getLabels();
            if (namespace.equals(namespaceOf(slice)) && isOurs(slice) && labels != null
                    && name.equals(labels.get(EndpointSliceDerivation.SERVICE_NAME_LABEL))) {
                existing.put(slice.getMetadata().getName(), slice);
            }
        }
        for (EndpointSlice slice : wanted) {
            final EndpointSlice current = existing.remove(slice.getMetadata().getName());
            if (current == null) {
                client.discovery().v1().endpointSlices().inNamespace(namespace).resource(slice).create();
                writes.incrementAndGet();
            } else if (!sameContent(current, slice)) {
                slice.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
                client.discovery().v1().endpointSlices().inNamespace(namespace).resource(slice).update();
                writes.incrementAndGet();
            }
        }
        for (EndpointSlice stale : existing.values()) {
            client.discovery().v1().endpointSlices().inNamespace(namespace).withName(stale.getMetadata().getName()).delete();
            writes.incrementAndGet();
        }
    }

    private static boolean sameContent(EndpointSlice a, EndpointSlice b) {
        return Objects.equals(a.getAddressType(), b.getAddressType()) && Objects.equals(a.getPorts(), b.getPorts())
                && Objects.equals(a.getEndpoints(), b.getEndpoints()) && Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels());
    }

    private static boolean isOurs(EndpointSlice slice) {
        final Map<String, String> labels = slice.getMetadata().getLabels();
        return labels != null && EndpointSliceDerivation.MANAGED_BY.equals(labels.get(EndpointSliceDerivation.MANAGED_BY_LABEL));
    }

    private static String namespaceOf(HasMetadata object) {
        return EndpointSliceDerivation.namespaceOf(object.getMetadata().getNamespace());
    }

    private static String key(HasMetadata object) {
        return namespaceOf(object) + "/" + object.getMetadata().getName();
    }

    /** Slice writes made so far (creates, updates, deletes). */
    public long writes() {
        return writes.get();
    }

    @Override
    public void close() {
        loop.close();
        factory.stopAllRegisteredInformers();
    }
}
