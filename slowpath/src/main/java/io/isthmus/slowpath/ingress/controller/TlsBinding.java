package io.isthmus.slowpath.ingress.controller;

import java.util.List;

/**
 * One {@code spec.tls[]} entry of a served Ingress: the hosts (may be empty: then the certificate
 * is the default one) and the {@code kubernetes.io/tls} Secret in the Ingress's namespace.
 */
public record TlsBinding(List<String> hosts, String namespace, String secretName, String ingress) {
}
