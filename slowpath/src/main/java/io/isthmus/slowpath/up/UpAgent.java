package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@code isthmus up} needs of the agent it starts: the CNI server the plugin relays to, the
 * embedded API server (a client for {@code up}, a kubeconfig for people), the counters, and the
 * moment its fast-path tables follow what the API server holds.
 *
 * <p><b>Thread-safety:</b> the session's thread calls it; {@link #client()} is thread-safe.
 */
public interface UpAgent extends AutoCloseable {

    /** The unix socket of its CNI server. */
    Path cniSocket();

    /** A client of the embedded API server. */
    KubernetesClient client();

    /** Writes a kubeconfig that reaches the embedded API server. */
    void writeKubeconfig(Path file) throws IOException;

    /** Where its counters are served (Prometheus text), if anywhere. */
    Optional<URI> metrics();

    /** Files and directories it makes that outlive its process (shared memory, ...); {@code down} removes them. */
    List<Path> leftovers();

    /** The node's uplink as attached ({@code --uplink}: interface, mode, queues), empty when none. */
    default Optional<String> uplink() {
        return Optional.empty();
    }

    /** The cluster DNS address its fast path answers, which the pods' resolv.conf names. */
    default String clusterDnsIp() {
        return io.isthmus.slowpath.agent.dns.ClusterDnsConfig.DEFAULT_SERVICE_IP;
    }

    /** Blocks until the fast path's tables are compiled from what the API server holds now. */
    void awaitProgrammed(Duration timeout) throws Exception;

    /** Stops it: the fast path lets every port go, the servers close. */
    @Override
    void close();

    /** How a session starts its agent (the real one, or one a test builds). */
    @FunctionalInterface
    interface Launcher {
        UpAgent start(UpState state) throws Exception;
    }
}
