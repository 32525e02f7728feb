package io.isthmus.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.slowpath.ingress.IngressController;
import io.isthmus.slowpath.ingress.IngressSettings;
import io.isthmus.slowpath.k8s.ClusterWatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The Ingress controller that {@code isthmus agent} runs beside its fast path when it watches a
 * cluster ({@code --kubeconfig} or {@code --in-cluster}): its own client of the same API server,
 * the proxy on {@code --ingress HTTP:HTTPS} (default 80:443) of every address, the node's first
 * {@code --node-ip} as the Ingresses' status address. {@code isthmus up} starts the same
 * controller over its embedded API server.
 *
 * <p><b>Thread-safety:</b> {@link #start} and {@link #close} from the agent command's thread.
 */
final class AgentIngress implements AutoCloseable {
    static final String DEFAULT_PORTS = "80:443";

    private final Path kubeconfig;
    private final IngressSettings settings;
    private KubernetesClient client;
    private IngressController controller;

    /** @param kubeconfig the API server's kubeconfig; null: the in-cluster configuration */
    AgentIngress(Path kubeconfig, IngressSettings settings) {
        this.kubeconfig = kubeconfig;
        this.settings = settings;
    }

    /**
     * The proxy's settings for {@code --ingress ports}, or null for {@code none}.
     *
     * @throws IllegalArgumentException naming the value when it is not HTTP:HTTPS ports
     */
    static IngressSettings settings(String ports, List<String> nodeIps) {
        if ("none".equals(ports)) {
            return null;
        }
        final int colon = ports.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--ingress wants HTTP:HTTPS ports (e.g. 80:443) or none, got '" + ports + "'");
        }
        final int http = AgentCommand.parseInt(ports.substring(0, colon), 1, 65535, "--ingress HTTP port");
        final int https = AgentCommand.parseInt(ports.substring(colon + 1), 1, 65535, "--ingress HTTPS port");
        if (http == https) {
            throw new IllegalArgumentException("--ingress " + ports + ": HTTP and HTTPS need two ports");
        }
        final String status = nodeIps.stream().filter(address -> address.indexOf(':') < 0).findFirst().orElse(null);
        return IngressSettings.defaults().withPorts("0.0.0.0", http, https).withStatusAddress(status);
    }

    /** Connects, starts the proxy and its informers; returns what it serves on, for the agent's banner. */
    String start() {
        try {
            client = ClusterWatch.client(kubeconfig);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        controller = IngressController.start(client, settings);
        return "proxy on HTTP :" + settings.httpPort() + " and HTTPS :" + settings.httpsPort()
                + (settings.statusAddress() == null ? "" : ", status address " + settings.statusAddress());
    }

    @Override
    public void close() {
        if (controller != null) {
            controller.close();
            controller = null;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
