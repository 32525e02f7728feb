package io.isthmus.slowpath.apiserver;

/**
 * A hook the embedded API server runs on a write before storing it, as a real API server runs
 * its registry strategies (ClusterIP and NodePort allocation live in
 * {@code io.isthmus.slowpath.controlplane.ServiceAllocation}).
 *
 * <p><b>Thread-safety:</b> called from the server's request threads, one request at a time
 * (the dispatcher serialises writes); implementations keep their state consistent under that.
 */
public interface Admission {

    /** Thrown to refuse a write; the client gets {@code code} with the message in a Status. */
    final class Refused extends RuntimeException {
        private final int code;

        public Refused(int code, String message) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /**
     * A create or update: returns the JSON body to store (the same or a changed one).
     *
     * @param method "POST", "PUT" or "PATCH" (for PATCH, {@code body} is the patch, not the object)
     * @param path   the request path without query, e.g. {@code /api/v1/namespaces/shop/services}
     */
    String admit(String method, String path, String body);

    /** After the server answered a request: {@code code} is its HTTP status. */
    default void completed(String method, String path, int code, String responseBody) {
    }
}
