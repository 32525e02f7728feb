package io.isthmus.slowpath.ingress;

import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxy cases with echo backends inside two pod network namespaces: the proxy (host
 * namespace) connects to the pods' addresses as it would to EndpointSlice addresses. The host
 * reaches each pod by a /32 route over its veth; the pod reaches the host through a static
 * neighbour entry for its gateway 169.254.1.1 (no proxy ARP, no forwarding, nothing global).
 * Needs root; skipped visibly otherwise.
 */
class IngressProxyPodTest extends IngressProxyCases {
    private final List<Pod> pods = new ArrayList<>();

    @Override
    protected void prepare() {
        Privileges.assumeRootAndAfXdp();
        final PodExtension extension = new PodExtension();
        closeLater(extension);
        final SecureRandom random = new SecureRandom();
        final int subnet = 1 + random.nextInt(250);
        for (int i = 0; i < 2; i++) {
            final Pod pod = extension.pod("10.251." + subnet + "." + (10 + i));
            Shell.check("ip", "route", "add", pod.ip() + "/32", "dev", pod.hostInterface(), "scope", "link");
            final String hostMac = Shell.check("cat", "/sys/class/net/" + pod.hostInterface() + "/address").strip();
            Shell.check("ip", "-n", pod.netns(), "neigh", "replace", Pod.GATEWAY_IP, "lladdr", hostMac, "dev", "eth0", "nud", "permanent");
            pods.add(pod);
        }
    }

    @Override
    protected EchoBackend startBackend(String name, int index) throws Exception {
        final Pod pod = pods.get(index % pods.size());
        return pod.callInside(() -> EchoBackend.start(name, new InetSocketAddress(pod.ip(), 8000 + index)));
    }

    @Override
    protected InetSocketAddress deadEndpoint() {
        return new InetSocketAddress(pods.getFirst().ip(), 7999);
    }

    @Override
    protected InetSocketAddress silentEndpoint() throws Exception {
        final Pod pod = pods.getLast();
        final java.net.ServerSocket socket = pod.callInside(() -> new java.net.ServerSocket(7998, 50, java.net.InetAddress.getByName(pod.ip())));
        closeLater(socket);
        return new InetSocketAddress(pod.ip(), 7998);
    }

    @Override
    protected InetSocketAddress oneAnswerEndpoint() throws Exception {
        final Pod pod = pods.getLast();
        final OneAnswerBackend backend = pod.callInside(() -> OneAnswerBackend.start(new InetSocketAddress(pod.ip(), 7997)));
        closeLater(backend);
        return backend.address();
    }
}
