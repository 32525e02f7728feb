package io.isthmus.slowpath.ingress.controller;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.isthmus.slowpath.ingress.match.RouteTable;

import java.util.List;

/**
 * The result of one compilation: the route table for the proxy, the TLS bindings for the
 * certificate store, the Ingresses served (for status), what was refused ({@code problems}: each
 * becomes a log line and an Event) and backends that resolved to no endpoint ({@code warnings}).
 */
public record CompiledIngresses(RouteTable routes, List<TlsBinding> tls, List<Ingress> served,
                                List<IngressProblem> problems, List<String> warnings) {
}
