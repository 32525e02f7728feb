package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.slowpath.cni.PodAttachment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The text of {@code isthmus status}: the session, each pod of {@code up} (namespace/name, address,
 * phase as the API server has it with restarts and why it waits (CrashLoopBackOff), or "exited"
 * when its command is gone and the API server cannot say), then each Pod of the API
 * server that does not run here, with its phase and why (waiting to be tried again, Failed, another
 * node's), each Service (type,
 * ClusterIP, ports, ready endpoints from its EndpointSlices), then the agent's counters.
 */
public final class StatusReport {
    private StatusReport() {
    }

    /**
     * @param client   a client of the embedded API server, or null when it cannot be reached
     * @param counters the agent's counters (Prometheus text), or null when unavailable
     */
    public static void print(UpState state, KubernetesClient client, String counters, PrintStream out) throws IOException {
        final String session = state.sessionProcess().map(p -> "running (pid " + p.pid() + ")").orElse("not running");
        out.println("session: " + session + ", state " + state.dir() + (Files.exists(state.kubeconfig()) ? ", kubeconfig " + state.kubeconfig() : ""));
        if (Files.exists(state.uplinkFile())) {
            out.println("uplink: " + Files.readString(state.uplinkFile()).strip() + " (NodePorts, externalIPs and LoadBalancer IPs from outside)");
        }
        out.println();
        out.printf("%-32s %-15s %s%n", "POD", "ADDRESS", "PHASE");
        for (PodRecord record : state.pods()) {
            out.printf("%-32s %-15s %s%n", record.key(), record.podIp().isEmpty() ? "-" : record.podIp(), phase(record, client));
        }
        if (client != null) {
            notRunningHere(state, client, out);
            out.println();
            out.printf("%-32s %-10s %-15s %-24s %s%n", "SERVICE", "TYPE", "CLUSTER-IP", "PORTS", "ENDPOINTS");
            final List<Service> services = new ArrayList<>(client.services().inAnyNamespace().list().getItems());
            services.sort(Comparator.comparing((Service s) -> s.getMetadata().getNamespace()).thenComparing(s -> s.getMetadata().getName()));
            final List<EndpointSlice> slices = client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems();
            for (Service service : services) {
                out.printf("%-32s %-10s %-15s %-24s %s%n", service.getMetadata().getNamespace() + "/" + service.getMetadata().getName(),
                        service.getSpec().getType() == null ? "ClusterIP" : service.getSpec().getType(),
                        service.getSpec().getClusterIP() == null ? "-" : service.getSpec().getClusterIP(),
                        ports(service), endpoints(service, slices));
            }
        } else {
            out.println();
            out.println("(the API server cannot be reached: no Services to show)");
        }
        out.println();
        if (counters == null) {
            out.println("(no counters: the agent's /metrics cannot be reached)");
            return;
        }
        out.println("COUNTERS");
        String named = counters;
        for (PodRecord record : state.pods()) { // the agent knows a port by its host interface; say which pod it is
            named = named.replace("pod=\"" + PodAttachment.hostInterfaceName(record.containerId(), PodRunner.POD_IFNAME) + "\"",
                    "pod=\"" + record.key() + "\"");
        }
        named.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).filter(l -> !l.endsWith(" 0") && !l.endsWith(" 0.0"))
                .forEach(l -> out.println("  " + l));
    }

    /** The API server's Pods without a sandbox here: phase and status message (why it is not running). */
    private static void notRunningHere(UpState state, KubernetesClient client, PrintStream out) throws IOException {
        final java.util.Set<String> here = new java.util.HashSet<>();
        for (PodRecord record : state.pods()) {
            here.add(record.key());
        }
        final List<Pod> pods;
        try {
            pods = new ArrayList<>(client.pods().inAnyNamespace().list().getItems());
        } catch (RuntimeException e) {
            return; // the Services below say the API server cannot be reached
        }
        pods.sort(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace()).thenComparing(p -> p.getMetadata().getName()));
        for (Pod pod : pods) {
            final String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            if (here.contains(key)) {
                continue;
            }
            final String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
            final String message = pod.getStatus() == null || pod.getStatus().getMessage() == null ? "" : ": " + pod.getStatus().getMessage();
            out.printf("%-32s %-15s %s%n", key, "-", phase + message);
        }
    }

    private static String phase(PodRecord record, KubernetesClient client) {
        final boolean exited = record.pid() > 0 && ProcessHandle.of(record.pid()).isEmpty();
        if (client == null) {
            return exited ? "exited (see " + record.namespace() + "." + record.name() + ".log)" : record.pid() > 0 ? "running" : "starting";
        }
        try {
            final Pod pod = client.pods().inNamespace(record.namespace()).withName(record.name()).get();
            if (pod == null || pod.getStatus() == null || pod.getStatus().getPhase() == null) {
                return exited ? "exited (see " + record.namespace() + "." + record.name() + ".log)" : "Pending";
            }
            return describe(pod);
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * A pod's phase as the API server has it, then Ready, its container's restarts, why it waits
     * (CrashLoopBackOff: ...) and how its last run ended, as {@code kubectl get/describe} would show them.
     */
    static String describe(Pod pod) {
        final StringBuilder text = new StringBuilder(pod.getStatus().getPhase());
        if (PodStatusWriter.isReady(pod)) {
            text.append(", Ready");
        }
        final List<ContainerStatus> containers = pod.getStatus().getContainerStatuses();
        if (containers != null && !containers.isEmpty()) {
            final ContainerStatus container = containers.getFirst();
            if (container.getRestartCount() != null && container.getRestartCount() > 0) {
                text.append(", restarts ").append(container.getRestartCount());
            }
            final ContainerState state = container.getState();
            if (state != null && state.getWaiting() != null && state.getWaiting().getReason() != null) {
                text.append(", ").append(state.getWaiting().getReason());
                if (state.getWaiting().getMessage() != null) {
                    text.append(": ").append(state.getWaiting().getMessage());
                }
            }
            final ContainerStateTerminated ended = state != null && state.getTerminated() != null ? state.getTerminated()
                    : container.getLastState() == null ? null : container.getLastState().getTerminated();
            if (ended != null && ended.getExitCode() != null) {
                text.append(state != null && state.getTerminated() != null ? ", exit code " : ", last exit code ").append(ended.getExitCode())
                        .append(ended.getReason() == null ? "" : " (" + ended.getReason() + ")");
            }
        }
        return text.toString();
    }

    private static String ports(Service service) {
        final List<String> ports = new ArrayList<>();
        if (service.getSpec().getPorts() != null) {
            for (ServicePort port : service.getSpec().getPorts()) {
                ports.add(port.getPort() + (port.getNodePort() == null ? "" : ":" + port.getNodePort()) + "/"
                        + (port.getProtocol() == null ? "TCP" : port.getProtocol()));
            }
        }
        return ports.isEmpty() ? "-" : String.join(",", ports);
    }

    private static String endpoints(Service service, List<EndpointSlice> slices) {
        final List<String> addresses = new ArrayList<>();
        for (EndpointSlice slice : slices) {
            final String owner = slice.getMetadata().getLabels() == null ? null : slice.getMetadata().getLabels().get("kubernetes.io/service-name");
            if (!service.getMetadata().getName().equals(owner) || !service.getMetadata().getNamespace().equals(slice.getMetadata().getNamespace())
                    || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                final boolean ready = endpoint.getConditions() == null || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
                if (ready && endpoint.getAddresses() != null) {
                    addresses.addAll(endpoint.getAddresses());
                }
            }
        }
        return addresses.isEmpty() ? "<none>" : String.join(",", addresses.stream().sorted().toList());
    }
}
