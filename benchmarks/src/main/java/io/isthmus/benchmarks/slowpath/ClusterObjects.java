package io.isthmus.benchmarks.slowpath;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.ArrayList;
import java.util.List;

/** A synthetic cluster for the slow-path benchmarks: Service {@code svc-i} with one slice of N endpoints. */
final class ClusterObjects {
    private ClusterObjects() {
    }

    static String ip(int base, int index) {
        final int address = base + index;
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    static Service service(int i) {
        return new ServiceBuilder().withNewMetadata().withName("svc-" + i).withNamespace("default").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ip(0x0A600001, i)).withClusterIPs(ip(0x0A600001, i))
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build();
    }

    /** The slice of Service {@code i}; {@code flip} changes the readiness of its first endpoint. */
    static EndpointSlice slice(int i, int endpoints, boolean flip) {
        final List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> list = new ArrayList<>();
        for (int e = 0; e < endpoints; e++) {
            list.add(new EndpointBuilder().withAddresses(ip(0x0AF40000, i * endpoints + e)).withNodeName(e % 2 == 0 ? "node-a" : "node-b")
                    .withNewConditions().withReady(!(flip && e == 0)).withServing(true).withTerminating(false).endConditions().build());
        }
        return new EndpointSliceBuilder().withNewMetadata().withName("svc-" + i + "-abcde").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "svc-" + i).endMetadata()
                .withAddressType("IPv4").addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .withEndpoints(list).build();
    }
}
