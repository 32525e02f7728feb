package io.isthmus.lb.model;

/** Well-known labels that decide whether a service proxy handles a Service or EndpointSlice. */
public final class ProxyLabels {

    /**
     * Set on a Service (and its slices) to hand it to a named alternative proxy. Kube-proxy watches
     * only objects without it; Isthmus also takes those whose value is its own proxy name.
     */
    public static final String SERVICE_PROXY_NAME = "service.kubernetes.io/service-proxy-name";

    /** Marks headless Services' objects; kube-proxy's informers exclude objects carrying it. */
    public static final String HEADLESS = "service.kubernetes.io/headless";

    /** The label by which an EndpointSlice names its Service. */
    public static final String SERVICE_NAME = "kubernetes.io/service-name";

    private ProxyLabels() {
    }
}
