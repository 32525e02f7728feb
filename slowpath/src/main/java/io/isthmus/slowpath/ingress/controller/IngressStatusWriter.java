package io.isthmus.slowpath.ingress.controller;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.net.InetAddress;
import java.util.List;

/**
 * Writes the node's address into {@code status.loadBalancer.ingress} of a served Ingress (as
 * {@code ip} for an IP literal, else {@code hostname}), through the status subresource, only when
 * the status differs (so that the informer event the write causes does not write again).
 *
 * <p><b>Thread-safety:</b> called by the controller's compile thread only.
 */
public final class IngressStatusWriter {
    private final KubernetesClient client;
    private final IngressLoadBalancerIngress entry;

    public IngressStatusWriter(KubernetesClient client, String address) {
        this.client = client;
        this.entry = isIp(address)
                ? new IngressLoadBalancerIngressBuilder().withIp(address).build()
                : new IngressLoadBalancerIngressBuilder().withHostname(address).build();
    }

    private static boolean isIp(String address) {
        try {
            InetAddress.ofLiteral(address);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether {@code ingress}'s status already names this node and only it. */
    public boolean upToDate(Ingress ingress) {
        return ingress.getStatus() != null && ingress.getStatus().getLoadBalancer() != null
                && List.of(entry).equals(ingress.getStatus().getLoadBalancer().getIngress());
    }

    /** Writes the status of {@code ingress} unless it is up to date. Returns whether it wrote. Throws the client's exception on failure. */
    public boolean write(Ingress ingress) {
        if (upToDate(ingress)) {
            return false;
        }
        client.network().v1().ingresses().inNamespace(ingress.getMetadata().getNamespace())
                .withName(ingress.getMetadata().getName())
                .editStatus(current -> {
                    current.setStatus(new IngressStatusBuilder()
                            .withLoadBalancer(new IngressLoadBalancerStatusBuilder().withIngress(entry).build()).build());
                    return current;
                });
        return true;
    }
}
