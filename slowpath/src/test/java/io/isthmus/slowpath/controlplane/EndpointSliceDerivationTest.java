package io.isthmus.slowpath.controlplane;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EndpointSlices derived from Pods as the Kubernetes endpoint-slice controller would. */
class EndpointSliceDerivationTest {

    private static Service service(String name, Map<String, String> selector, String targetPort) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("ns").endMetadata()
                .withNewSpec().withClusterIP("10.96.0.9").withSelector(selector)
                .withPorts(new ServicePortBuilder().withName("http").withProtocol("TCP").withPort(80)
                        .withTargetPort(targetPort == null ? null : targetPort.matches("\\d+") ? new IntOrString(Integer.parseInt(targetPort)) : new IntOrString(targetPort)).build())
                .endSpec().build();
    }

    private static Pod pod(String name, String namespace, Map<String, String> labels, String ip, boolean ready, int httpPort) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).withUid("uid-" + name).endMetadata()
                .withNewSpec().withNodeName("node-1").withHostname(name).withSubdomain("web")
                .addNewContainer().withName("c").withPorts(new ContainerPortBuilder().withName("web-port").withContainerPort(httpPort).build()).endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip).endPodIP()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }

    @Test
    void selectsMatchingPodsOfTheNamespaceWithTheirConditionsAndReferences() {
        final Service web = service("web", Map.of("app", "web"), "web-port");
        final List<Pod> pods = List.of(
                pod("web-0", "ns", Map.of("app", "web", "tier", "x"), "10.0.0.1", true, 8080),
                pod("web-1", "ns", Map.of("app", "web"), "10.0.0.2", false, 8080),
                pod("other", "ns", Map.of("app", "db"), "10.0.0.3", true, 8080),
                pod("web-elsewhere", "other-ns", Map.of("app", "web"), "10.0.0.4", true, 8080));
        final List<EndpointSlice> slices = EndpointSliceDerivation.derive(web, pods);
        assertEquals(1, slices.size());
        final EndpointSlice slice = slices.getFirst();
        assertEquals("IPv4", slice.getAddressType());
        assertEquals("web", slice.getMetadata().getLabels().get(EndpointSliceDerivation.SERVICE_NAME_LABEL));
        assertEquals("ns", slice.getMetadata().getNamespace());
        assertEquals(8080, slice.getPorts().getFirst().getPort(), "named targetPort resolved through the container port");
        assertEquals("http", slice.getPorts().getFirst().getName());
        final List<Endpoint> endpoints = slice.getEndpoints();
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), endpoints.stream().map(e -> e.getAddresses().getFirst()).toList());
        assertTrue(endpoints.get(0).getConditions().getReady());
        assertFalse(endpoints.get(1).getConditions().getReady());
        assertFalse(endpoints.get(1).getConditions().getServing());
        assertEquals("web-0", endpoints.get(0).getHostname(), "hostname because subdomain names the Service");
        assertEquals("node-1", endpoints.get(0).getNodeName());
        assertEquals("Pod", endpoints.get(0).getTargetRef().getKind());
        assertEquals("web-0", endpoints.get(0).getTargetRef().getName());
        assertEquals("uid-web-0", endpoints.get(0).getTargetRef().getUid());
    }

    @Test
    void hostnameOnlyWhenTheSubdomainIsTheService() {
        final Service api = service("api", Map.of("app", "web"), "80");
        final Endpoint endpoint = EndpointSliceDerivation.derive(api, List.of(pod("web-0", "ns", Map.of("app", "web"), "10.0.0.1", true, 8080)))
                .getFirst().getEndpoints().getFirst();
        assertNull(endpoint.getHostname());
    }

    @Test
    void podsWhoseNamedPortDiffersGoToDifferentSlicesAndUnresolvedPortsAreDropped() {
        final Service web = service("web", Map.of("app", "web"), "web-port");
        final Pod noPort = new PodBuilder(pod("web-2", "ns", Map.of("app", "web"), "10.0.0.3", true, 1))
                .editSpec().editFirstContainer().withPorts(List.of()).endContainer().endSpec().build();
        final List<EndpointSlice> slices = EndpointSliceDerivation.derive(web, List.of(
                pod("web-0", "ns", Map.of("app", "web"), "10.0.0.1", true, 8080),
                pod("web-1", "ns", Map.of("app", "web"), "10.0.0.2", true, 9090),
                noPort));
        assertEquals(3, slices.size());
        assertEquals(8080, slices.get(0).getPorts().getFirst().getPort());
        assertEquals(9090, slices.get(1).getPorts().getFirst().getPort());
        assertTrue(slices.get(2).getPorts().isEmpty());
    }

    @Test
    void publishNotReadyAddressesTerminatingAndFinishedPods() {
        final Service web = new ServiceBuilder(service("web", Map.of("app", "web"), null)).editSpec().withPublishNotReadyAddresses(true).endSpec().build();
        final Pod terminating = new PodBuilder(pod("web-1", "ns", Map.of("app", "web"), "10.0.0.2", true, 80))
                .editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
        final Pod finished = new PodBuilder(pod("web-2", "ns", Map.of("app", "web"), "10.0.0.3", false, 80))
                .editStatus().withPhase("Succeeded").endStatus().build();
        final Pod noIp = new PodBuilder(pod("web-3", "ns", Map.of("app", "web"), "10.0.0.4", false, 80))
                .editStatus().withPodIP(null).withPodIPs(List.of()).endStatus().build();
        final List<Endpoint> endpoints = EndpointSliceDerivation.derive(web, List.of(
                pod("web-0", "ns", Map.of("app", "web"), "10.0.0.1", false, 80), terminating, finished, noIp)).getFirst().getEndpoints();
        assertEquals(2, endpoints.size());
        assertTrue(endpoints.get(0).getConditions().getReady(), "publishNotReadyAddresses: ready regardless");
        assertTrue(endpoints.get(1).getConditions().getTerminating());
        assertEquals(80, EndpointSliceDerivation.derive(web, List.of(pod("web-0", "ns", Map.of("app", "web"), "10.0.0.1", true, 80)))
                .getFirst().getPorts().getFirst().getPort(), "no targetPort: the port itself");
    }

    @Test
    void dualStackGivesOneSlicePerFamilyAndLargeSetsSplitAtOneHundred() {
        final Service web = new ServiceBuilder(service("web", Map.of("app", "web"), "80")).editSpec().withIpFamilies("IPv4", "IPv6").endSpec().build();
        final List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            pods.add(new PodBuilder(pod(String.format("web-%03d", i), "ns", Map.of("app", "web"), "10.0." + (i / 200) + "." + (i % 200 + 1), true, 80))
                    .editStatus().addNewPodIP().withIp("fd00::" + Integer.toHexString(i + 1)).endPodIP().endStatus().build());
        }
        final List<EndpointSlice> slices = EndpointSliceDerivation.derive(web, pods);
        assertEquals(List.of("IPv4", "IPv4", "IPv6", "IPv6"), slices.stream().map(EndpointSlice::getAddressType).toList());
        assertEquals(List.of(100, 50, 100, 50), slices.stream().map(s -> s.getEndpoints().size()).toList());
        assertEquals("fd00::1", slices.get(2).getEndpoints().getFirst().getAddresses().getFirst());
    }

    @Test
    void noSelectorOrExternalNameGivesNothingAndGivenSlicesWin() {
        final Service noSelector = service("manual", null, "80");
        assertTrue(EndpointSliceDerivation.derive(noSelector, List.of(pod("p", "ns", Map.of("app", "web"), "10.0.0.1", true, 80))).isEmpty());
        final Service web = service("web", Map.of("app", "web"), "80");
        final EndpointSlice given = new EndpointSliceBuilder().withNewMetadata().withName("web-given").withNamespace("ns")
                .addToLabels(EndpointSliceDerivation.SERVICE_NAME_LABEL, "web").endMetadata().withAddressType("IPv4").build();
        final List<EndpointSlice> all = EndpointSliceDerivation.withDerivedSlices(List.of(web), List.of(given),
                List.of(pod("p", "ns", Map.of("app", "web"), "10.0.0.1", true, 80)));
        assertEquals(List.of("web-given"), all.stream().map(s -> s.getMetadata().getName()).toList());
        assertEquals(1, EndpointSliceDerivation.withDerivedSlices(List.of(web), List.of(),
                List.of(pod("p", "ns", Map.of("app", "web"), "10.0.0.1", true, 80))).size());
    }
}
