package io.isthmus.slowpath.ingress;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.isthmus.slowpath.ingress.controller.CompiledIngresses;
import io.isthmus.slowpath.ingress.controller.IngressClassPolicy;
import io.isthmus.slowpath.ingress.controller.IngressCompiler;
import io.isthmus.slowpath.ingress.controller.IngressEvents;
import io.isthmus.slowpath.ingress.controller.IngressInputs;
import io.isthmus.slowpath.ingress.controller.IngressStatusWriter;
import io.isthmus.slowpath.ingress.proxy.IngressProxy;
import io.isthmus.slowpath.ingress.tls.CertificateStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Ingress controller of the agent: its own informers (Ingress, IngressClass, Secret, Service,
 * EndpointSlice) feed one compile thread, which turns their caches into a route table and a
 * certificate store, swaps them into the {@link IngressProxy} atomically, writes the node's
 * address into the status of the Ingresses it serves, and reports what it refuses (log line and
 * Warning Event on the Ingress).
 *
 * <pre>
 *   informers (fabric8 threads) ──event──► requestCompile() ──(debounce)──► compile thread
 *                                                                            ├─ IngressCompiler → RouteTable
 *                                                                            ├─ CertificateStore (SNI)
 *                                                                            ├─ proxy.publish(...)   (one volatile write)
 *                                                                            ├─ IngressStatusWriter
 *                                                                            └─ IngressEvents
 * </pre>
 *
 * <p>Entry point for the agent: {@link #start(KubernetesClient, IngressSettings)}, then
 * {@link #close()} on shutdown. The client is the caller's and is not closed here.
 *
 * <p><b>Thread-safety:</b> informer callbacks only set a flag and schedule; the single compile
 * thread is the one writer of everything compiled; {@link #compiled()} and {@link #generation()}
 * may be read from any thread.
 */
public final class IngressController implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IngressController.class.getName());
    private static final long DEBOUNCE_MS = 20;
    private static final long RESYNC_MS = 0;

    private final KubernetesClient client;
    private final IngressSettings settings;
    private final IngressProxy proxy;
    private final ScheduledExecutorService compileThread;
    private final AtomicBoolean compileScheduled = new AtomicBoolean();
    private final AtomicLong generation = new AtomicLong();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final IngressStatusWriter statusWriter;
    private final IngressEvents events;
    private SharedIndexInformer<Ingress> ingresses;
    private SharedIndexInformer<IngressClass> classes;
    private SharedIndexInformer<Secret> secrets;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private volatile CompiledIngresses compiled;
    private volatile boolean informersStarted;
    private CertificateStore certificates = CertificateStore.empty();

    private IngressController(KubernetesClient client, IngressSettings settings, IngressProxy proxy) {
        this.client = client;
        this.settings = settings;
        this.proxy = proxy;
        this.compileThread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("isthmus-ingress-compile").factory());
        this.statusWriter = settings.statusAddress() == null ? null : new IngressStatusWriter(client, settings.statusAddress());
        this.events = new IngressEvents(client);
    }

    /**
     * Starts the proxy on the ports of {@code settings}, the informers, and the first compilation
     * (done before this returns, once the informers have listed). Throws when a port cannot be
     * bound or the API server cannot be listed; nothing is left running then.
     */
    public static IngressController start(KubernetesClient client, IngressSettings settings) {
        final IngressProxy proxy = IngressProxy.start(settings);
        final IngressController controller = new IngressController(client, settings, proxy);
        try {
            controller.startInformers();
            controller.informersStarted = true;
            controller.compileNow();
            LOG.log(System.Logger.Level.INFO, "ingress controller " + settings.controller() + " serving on " + proxy.describeListeners()
                    + " (" + proxy.transport() + ")");
            return controller;
        } catch (RuntimeException e) {
            controller.close();
            throw e;
        }
    }

    private void startInformers() {
        final ResourceEventHandler<HasMetadata> onChange = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                requestCompile();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                requestCompile();
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                requestCompile();
            }
        };
        ingresses = track(client.network().v1().ingresses().inAnyNamespace().inform(handler(onChange), RESYNC_MS));
        classes = track(client.network().v1().ingressClasses().inform(handler(onChange), RESYNC_MS));
        secrets = track(client.secrets().inAnyNamespace().inform(handler(onChange), RESYNC_MS));
        services = track(client.services().inAnyNamespace().inform(handler(onChange), RESYNC_MS));
        slices = track(client.discovery().v1().endpointSlices().inAnyNamespace().inform(handler(onChange), RESYNC_MS));
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> ResourceEventHandler<T> handler(ResourceEventHandler<HasMetadata> handler) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
    }

    private <T extends HasMetadata> SharedIndexInformer<T> track(SharedIndexInformer<T> informer) {
        informers.add(informer);
        return informer;
    }

    private void requestCompile() {
        if (!informersStarted) {
            return; // the first compilation runs once every informer has listed
        }
        if (compileScheduled.compareAndSet(false, true)) {
            try {
                compileThread.schedule(this::compileScheduled, DEBOUNCE_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                compileScheduled.set(false); // closing
            }
        }
    }

    private void compileScheduled() {
        compileScheduled.set(false);
        try {
            compile();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "ingress compilation failed; the previous routes stay in place", e);
        }
    }

    private void compileNow() {
        try {
            compileThread.submit(this::compile).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("first ingress compilation failed: " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("first ingress compilation took more than 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** On the compile thread only. */
    private void compile() {
        final IngressInputs inputs = new IngressInputs(ingresses.getStore().list(), classes.getStore().list(),
                services.getStore().list(), slices.getStore().list(), secrets.getStore().list());
        final IngressClassPolicy policy = IngressClassPolicy.of(settings.controller(), inputs.ingressClasses());
        final CompiledIngresses result = IngressCompiler.compile(inputs, policy);
        certificates = CertificateStore.build(result.tls(), inputs.secrets(), certificates,
                message -> LOG.log(System.Logger.Level.WARNING, message));
        proxy.publish(result.routes(), certificates);
        compiled = result;
        generation.incrementAndGet();
        final Map<String, Ingress> byName = new HashMap<>();
        for (Ingress ingress : result.served()) {
            byName.put(ingress.getMetadata().getNamespace() + "/" + ingress.getMetadata().getName(), ingress);
        }
        events.report(result.problems(), problem -> byName.get(problem.namespace() + "/" + problem.name()));
        if (statusWriter != null) {
            for (Ingress ingress : result.served()) {
                try {
                    statusWriter.write(ingress);
                } catch (KubernetesClientException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot write status of Ingress " + ingress.getMetadata().getNamespace()
                            + "/" + ingress.getMetadata().getName() + ": " + e.getMessage());
                }
            }
        }
    }

    /** The last compilation (routes, TLS, served Ingresses, problems). */
    public CompiledIngresses compiled() {
        return compiled;
    }

    /** How many compilations have been published: tests wait for it to move. */
    public long generation() {
        return generation.get();
    }

    public IngressProxy proxy() {
        return proxy;
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        compileThread.shutdownNow();
        try {
            compileThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        proxy.close();
    }
}
