package io.isthmus.slowpath.ingress.controller;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Reports {@link IngressProblem}s: a log line and a Warning Event on the Ingress
 * ({@code kubectl describe ingress} shows it), once per problem while it lasts (a recompilation
 * that finds the same problem again stays quiet).
 *
 * <p><b>Thread-safety:</b> the controller's compile thread only.
 */
public final class IngressEvents {
    static final String COMPONENT = "isthmus-ingress";
    private static final System.Logger LOG = System.getLogger(IngressEvents.class.getName());

    private final KubernetesClient client;
    private Set<String> reported = Set.of();

    public IngressEvents(KubernetesClient client) {
        this.client = client;
    }

    /** Reports the problems not reported by the previous call; forgets those gone. */
    public void report(List<IngressProblem> problems, Function<IngressProblem, Ingress> ingressOf) {
        final Set<String> now = new HashSet<>();
        for (IngressProblem problem : problems) {
            final String key = problem.namespace() + "/" + problem.name() + " " + problem.reason() + " " + problem.message();
            now.add(key);
            if (reported.contains(key)) {
                continue;
            }
            LOG.log(System.Logger.Level.WARNING, problem.toString());
            final Ingress ingress = ingressOf.apply(problem);
            if (ingress != null) {
                post(ingress, problem);
            }
        }
        reported = now;
    }

    private void post(Ingress ingress, IngressProblem problem) {
        final String now = Instant.now().toString();
        try {
            client.v1().events().inNamespace(problem.namespace()).resource(new EventBuilder()
                    .withNewMetadata().withNamespace(problem.namespace())
                    .withName(problem.name() + "." + UUID.randomUUID().toString().substring(0, 8)).endMetadata()
                    .withNewInvolvedObject().withApiVersion("networking.k8s.io/v1").withKind("Ingress")
                    .withNamespace(problem.namespace()).withName(problem.name())
                    .withUid(ingress.getMetadata().getUid()).withResourceVersion(ingress.getMetadata().getResourceVersion())
                    .endInvolvedObject()
                    .withType("Warning").withReason(problem.reason()).withMessage(problem.message())
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot post Event for " + problem + ": " + e.getMessage());
        }
    }
}
