package io.isthmus.slowpath.ingress.match;

/**
 * The answer of {@link RouteTable#match}: the route and the path to send to the backend
 * (the request's path, or its rewrite). {@code defaultBackend} is true when no rule matched and
 * an Ingress's {@code spec.defaultBackend} took the request.
 */
public record RouteMatch(Route route, String upstreamPath, boolean defaultBackend) {
}
