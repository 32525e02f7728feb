package io.isthmus.slowpath.ingress;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.isthmus.slowpath.ingress.controller.IngressInputs;
import io.isthmus.slowpath.ingress.match.BackendRef;
import io.isthmus.slowpath.manifest.ManifestDirectory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Services and EndpointSlices for the backends of the cases, pointing at test echo servers. */
public final class EchoCluster {
    private EchoCluster() {
    }

    /** Every backend the cases expect, in case order. */
    public static Set<BackendRef> refs(List<IngressCases> cases) {
        final Set<BackendRef> refs = new LinkedHashSet<>();
        for (IngressCases c : cases) {
            if (!c.expected().equals("404")) {
                refs.add(parse(c.expected()));
            }
        }
        return refs;
    }

    public static BackendRef parse(String text) {
        final int slash = text.indexOf('/');
        final int colon = text.lastIndexOf(':');
        return new BackendRef(text.substring(0, slash), text.substring(slash + 1, colon), text.substring(colon + 1));
    }

    /** A Service for {@code ref}: port {@code ref.port()} when numeric, else a port of that name numbered 8080. */
    public static Service service(BackendRef ref) {
        final boolean numeric = ref.port().chars().allMatch(Character::isDigit);
        return new ServiceBuilder().withNewMetadata().withNamespace(ref.namespace()).withName(ref.service()).endMetadata()
                .withNewSpec().addNewPort().withName(numeric ? null : ref.port()).withPort(numeric ? Integer.parseInt(ref.port()) : 8080)
                .withProtocol("TCP").endPort().endSpec().build();
    }

    /** The EndpointSlice of {@code ref}'s Service listing {@code endpoints} (all on one port) as ready. */
    public static EndpointSlice slice(BackendRef ref, List<InetSocketAddress> endpoints) {
        final boolean numeric = ref.port().chars().allMatch(Character::isDigit);
        final EndpointSliceBuilder builder = new EndpointSliceBuilder().withNewMetadata().withNamespace(ref.namespace())
                .withName(ref.service() + "-abcde").addToLabels("kubernetes.io/service-name", ref.service()).endMetadata()
                .withAddressType("IPv4");
        if (!endpoints.isEmpty()) {
            builder.addNewPort().withName(numeric ? "" : ref.port()).withPort(endpoints.getFirst().getPort()).withProtocol("TCP").endPort();
        }
        for (InetSocketAddress endpoint : endpoints) {
            builder.addNewEndpoint().withAddresses(endpoint.getAddress().getHostAddress()).withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        return builder.build();
    }

    /** The cases' directory plus Services and EndpointSlices for {@code endpoints}, plus {@code secrets}. */
    public static IngressInputs inputs(Path dir, Map<BackendRef, List<InetSocketAddress>> endpoints, List<Secret> secrets) {
        final ManifestDirectory manifests = ManifestDirectory.load(dir);
        final List<Service> services = new ArrayList<>();
        final List<EndpointSlice> slices = new ArrayList<>();
        endpoints.forEach((ref, addresses) -> {
            services.add(service(ref));
            slices.add(slice(ref, addresses));
        });
        return new IngressInputs(manifests.ofType(Ingress.class), manifests.ofType(IngressClass.class), services, slices, secrets);
    }
}
