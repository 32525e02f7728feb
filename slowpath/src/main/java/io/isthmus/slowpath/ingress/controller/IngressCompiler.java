package io.isthmus.slowpath.ingress.controller;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.isthmus.slowpath.ingress.match.Backend;
import io.isthmus.slowpath.ingress.match.BackendRef;
import io.isthmus.slowpath.ingress.match.PathRule;
import io.isthmus.slowpath.ingress.match.PathType;
import io.isthmus.slowpath.ingress.match.Route;
import io.isthmus.slowpath.ingress.match.RouteTable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles the Ingresses Isthmus serves into a {@link RouteTable}, resolving every Service backend
 * to its pods' addresses.
 *
 * <p>Ingresses are taken oldest first ({@code metadata.creationTimestamp}, then input order): on a
 * conflict (same host, type and path; two default backends) the older one wins, as in
 * ingress-nginx. A {@code resource} backend, a path that does not start with {@code /}, a missing
 * {@code pathType} or a bad regular expression is refused: an {@link IngressProblem} naming the
 * Ingress, and the rest of that Ingress is still served.
 *
 * <p>Annotations read (others are ignored): {@value #REWRITE_TARGET} and {@value #USE_REGEX}; a
 * rewrite target turns regular expressions on for the Ingress's paths, as in ingress-nginx.
 */
public final class IngressCompiler {
    public static final String REWRITE_TARGET = "nginx.ingress.kubernetes.io/rewrite-target";
    public static final String USE_REGEX = "nginx.ingress.kubernetes.io/use-regex";

    private IngressCompiler() {
    }

    /** Compiles {@code inputs} for the Ingresses {@code policy} says Isthmus serves. */
    public static CompiledIngresses compile(IngressInputs inputs, IngressClassPolicy policy) {
        final EndpointIndex endpoints = new EndpointIndex(inputs.services(), inputs.endpointSlices());
        final List<Ingress> served = new ArrayList<>();
        for (Ingress ingress : inputs.ingresses()) {
            if (policy.serves(ingress)) {
                served.add(ingress);
            }
        }
        served.sort(Comparator.comparing((Ingress i) -> i.getMetadata().getCreationTimestamp(),
                Comparator.nullsLast(Comparator.naturalOrder())));
        final RouteTable.Builder builder = new RouteTable.Builder();
        final List<IngressProblem> problems = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final List<TlsBinding> tls = new ArrayList<>();
        final Map<BackendRef, Backend> backends = new HashMap<>();
        for (Ingress ingress : served) {
            new One(ingress, endpoints, backends, builder, problems, warnings, tls).compile();
        }
        return new CompiledIngresses(builder.build(), List.copyOf(tls), List.copyOf(served), List.copyOf(problems), List.copyOf(warnings));
    }

    /** The compilation of one Ingress. */
    private record One(Ingress ingress, EndpointIndex endpoints, Map<BackendRef, Backend> backends, RouteTable.Builder builder,
                       List<IngressProblem> problems, List<String> warnings, List<TlsBinding> tls) {

        String namespace() {
            final String ns = ingress.getMetadata().getNamespace();
            return ns == null || ns.isEmpty() ? "default" : ns;
        }

        String id() {
            return namespace() + "/" + ingress.getMetadata().getName();
        }

        void problem(String reason, String message) {
            problems.add(new IngressProblem(namespace(), ingress.getMetadata().getName(), reason, message));
        }

        void compile() {
            if (ingress.getSpec() == null) {
                return;
            }
            final Map<String, String> annotations = ingress.getMetadata().getAnnotations() == null
                    ? Map.of() : ingress.getMetadata().getAnnotations();
            final String rewriteTarget = annotations.get(REWRITE_TARGET);
            final boolean regex = rewriteTarget != null || "true".equalsIgnoreCase(annotations.get(USE_REGEX));
            if (ingress.getSpec().getDefaultBackend() != null) {
                final Backend backend = backend(ingress.getSpec().getDefaultBackend(), "defaultBackend");
                if (backend != null) {
                    final String conflict = builder.defaultBackend(new Route(backend, null, id()));
                    if (conflict != null) {
                        problem("DefaultBackendConflict", conflict);
                    }
                }
            }
            final List<IngressRule> rules = ingress.getSpec().getRules() == null ? List.of() : ingress.getSpec().getRules();
            for (int r = 0; r < rules.size(); r++) {
                final IngressRule rule = rules.get(r);
                if (rule.getHttp() == null || rule.getHttp().getPaths() == null) {
                    continue;
                }
                final List<HTTPIngressPath> paths = rule.getHttp().getPaths();
                for (int p = 0; p < paths.size(); p++) {
                    compilePath(rule.getHost(), paths.get(p), "rules[" + r + "].http.paths[" + p + "]", rewriteTarget, regex);
                }
            }
            for (IngressTLS entry : ingress.getSpec().getTls() == null ? List.<IngressTLS>of() : ingress.getSpec().getTls()) {
                if (entry.getSecretName() == null || entry.getSecretName().isEmpty()) {
                    problem("TlsWithoutSecret", "spec.tls entry for " + entry.getHosts() + " has no secretName; ignored");
                    continue;
                }
                tls.add(new TlsBinding(entry.getHosts() == null ? List.of() : List.copyOf(entry.getHosts()),
                        namespace(), entry.getSecretName(), id()));
            }
        }

        private void compilePath(String host, HTTPIngressPath path, String where, String rewriteTarget, boolean regex) {
            final PathType type = PathType.ofApiName(path.getPathType());
            if (type == null) {
                problem("InvalidPath", where + ": pathType '" + path.getPathType() + "' is not Exact, Prefix or ImplementationSpecific; path refused");
                return;
            }
            final Backend backend = backend(path.getBackend(), where + ".backend");
            if (backend == null) {
                return;
            }
            String text = path.getPath();
            if ((text == null || text.isEmpty()) && type == PathType.IMPLEMENTATION_SPECIFIC) {
                text = "/";
            }
            final Route route = new Route(backend, rewriteTarget, id());
            final PathRule rule;
            try {
                rule = regex ? PathRule.regex(type, text, route) : PathRule.literal(type, text, route);
            } catch (IllegalArgumentException e) {
                problem("InvalidPath", where + ": " + e.getMessage() + "; path refused");
                return;
            }
            final String conflict = builder.add(host, rule);
            if (conflict != null) {
                problem("PathConflict", where + ": " + conflict);
            }
        }

        private Backend backend(IngressBackend backend, String where) {
            if (backend == null) {
                problem("InvalidBackend", where + " is missing; refused");
                return null;
            }
            if (backend.getResource() != null) {
                problem("ResourceBackendRefused", where + ": resource backends (" + backend.getResource().getKind() + " "
                        + backend.getResource().getName() + ") are not supported by Isthmus; refused");
                return null;
            }
            if (backend.getService() == null || backend.getService().getName() == null || backend.getService().getPort() == null) {
                problem("InvalidBackend", where + ": a service with a name and a port is required; refused");
                return null;
            }
            final var port = backend.getService().getPort();
            final String portText = port.getNumber() != null ? port.getNumber().toString() : port.getName();
            if (portText == null || portText.isEmpty()) {
                problem("InvalidBackend", where + ": service port needs a number or a name; refused");
                return null;
            }
            final BackendRef ref = new BackendRef(namespace(), backend.getService().getName(), portText);
            return backends.computeIfAbsent(ref, r -> {
                final EndpointIndex.Resolution resolution = endpoints.resolve(r.namespace(), r.service(), r.port());
                if (resolution.problem() != null) {
                    warnings.add("Ingress " + id() + ": " + resolution.problem());
                }
                return new Backend(r, resolution.endpoints());
            });
        }
    }
}
