package io.isthmus.slowpath.ingress.match;

/**
 * What a matched path leads to: the backend, the rewrite target (nginx's
 * {@code nginx.ingress.kubernetes.io/rewrite-target}, null when none) and the Ingress that wrote it
 * ({@code namespace/name}, for logs and conflicts).
 */
public record Route(Backend backend, String rewriteTarget, String ingress) {
}
