package io.isthmus.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.isthmus.slowpath.up.StatusReport;
import io.isthmus.slowpath.up.UpState;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

/**
 * {@code isthmus status}: what {@code isthmus up} runs: pods, Services with their endpoints, and the
 * agent's counters (read from its /metrics). Exit code 1 when nothing is up.
 */
public final class StatusCommand implements Subcommand {
    @Override
    public String name() {
        return "status";
    }

    @Override
    public String summary() {
        return "pods, Services and counters of what 'isthmus up' runs";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length > 0) {
            System.err.println("usage: isthmus status");
            return args[0].equals("-h") || args[0].equals("--help") ? 0 : 2;
        }
        final UpState state = UpState.fromEnvironment();
        if (!Files.exists(state.dir())) {
            System.err.println("isthmus status: nothing is up (no " + state.dir() + "); start it with 'isthmus up'");
            return 1;
        }
        KubernetesClient client = null;
        try {
            if (Files.exists(state.kubeconfig())) {
                final Config config = Config.fromKubeconfig(Files.readString(state.kubeconfig()));
                config.setRequestTimeout(5_000);
                config.setConnectionTimeout(2_000);
                config.setRequestRetryBackoffLimit(0);
                client = new KubernetesClientBuilder().withConfig(config).build();
                client.namespaces().list(); // reachable?
            }
        } catch (RuntimeException e) {
            if (client != null) {
                client.close();
            }
            client = null;
        }
        try {
            StatusReport.print(state, client, counters(state), System.out);
        } finally {
            if (client != null) {
                client.close();
            }
        }
        return state.sessionProcess().isPresent() ? 0 : 1;
    }

    private static String counters(UpState state) {
        try {
            if (!Files.exists(state.metricsUrlFile())) {
                return null;
            }
            final URI uri = URI.create(Files.readString(state.metricsUrlFile()).strip());
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
                final HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 ? response.body() : null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
