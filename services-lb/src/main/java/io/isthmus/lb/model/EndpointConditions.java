package io.isthmus.lb.model;

/**
 * {@code EndpointSlice.endpoints[].conditions}, with the API's nil semantics: each field may be
 * null, and (as in kube-proxy's EndpointSliceCache) a null {@code ready} or {@code serving} means
 * true, a null {@code terminating} means false.
 */
public record EndpointConditions(Boolean ready, Boolean serving, Boolean terminating) {

    public static final EndpointConditions READY = new EndpointConditions(true, true, false);
    /** Terminating but still answering: used only when no endpoint is ready. */
    public static final EndpointConditions SERVING_TERMINATING = new EndpointConditions(false, true, true);
    /** Terminating and no longer answering: never used. */
    public static final EndpointConditions TERMINATING_NOT_SERVING = new EndpointConditions(false, false, true);
    /** Not ready and not terminating (starting up, failing readiness): never used. */
    public static final EndpointConditions NOT_READY = new EndpointConditions(false, false, false);

    public boolean isReady() {
        return ready == null || ready;
    }

    public boolean isServing() {
        return serving == null || serving;
    }

    public boolean isTerminating() {
        return terminating != null && terminating;
    }
}
