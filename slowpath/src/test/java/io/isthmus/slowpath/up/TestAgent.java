package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.isthmus.slowpath.cni.CniHandler;
import io.isthmus.slowpath.cni.CniServer;
import io.isthmus.slowpath.cni.IpamStore;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import io.isthmus.slowpath.cni.NetlinkPodNetworkBackend;
import io.isthmus.slowpath.cni.RecordingFastpathPorts;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An agent for session tests: fabric8's CRUD mock API server, the real CNI server with the netlink
 * backend, and a recorder where the fast path would be. Its one leftover is a file it makes, so
 * tests can see that teardown removes leftovers.
 */
final class TestAgent implements UpAgent {
    private final RecordingFastpathPorts fastpath = new RecordingFastpathPorts();
    final Map<String, String> attached = fastpath.attached;
    final Path leftover;
    private final KubernetesMockServer apiServer;
    private final KubernetesClient client;
    private final CniServer cni;
    boolean closed;

    TestAgent(UpState state, Path scratch, String podCidr) throws IOException {
        apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        apiServer.init(InetAddress.getLoopbackAddress(), 0);
        client = apiServer.createClient();
        cni = CniServer.start(scratch.resolve("cni.sock"), new CniHandler(new IpamStore(state.ipamDir(), Ipv4Cidr.parse(podCidr)),
                new NetlinkPodNetworkBackend(fastpath)));
        leftover = scratch.resolve("shm-leftover");
        Files.writeString(leftover, "made by the test agent");
    }

    @Override
    public Path cniSocket() {
        return cni.socketPath();
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public void writeKubeconfig(Path file) throws IOException {
        Files.writeString(file, "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: " + client.getMasterUrl() + "\n");
    }

    @Override
    public Optional<URI> metrics() {
        return Optional.empty();
    }

    @Override
    public List<Path> leftovers() {
        return List.of(leftover);
    }

    @Override
    public void awaitProgrammed(Duration timeout) {
    }

    @Override
    public void close() {
        closed = true;
        try {
            cni.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        client.close();
        apiServer.destroy();
    }
}
