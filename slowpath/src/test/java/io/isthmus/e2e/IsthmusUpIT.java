package io.isthmus.e2e;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.slowpath.cni.PodAttachment;
import io.isthmus.slowpath.up.PodRecord;
import io.isthmus.slowpath.up.PodRunner;
import io.isthmus.slowpath.up.UpState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./isthmus up} as a user runs it, on examples/demo: {@code up --detach}; the client reaches
 * every echo backend, in the other namespace, through the fast path, and the echo Service through
 * its ClusterIP (spread over the backends) and its NodePort; the policy shuts the stranger out;
 * {@code exec} returns the command's exit code; the host port joins the node to the pod network (the
 * node curls a pod, the demo Ingress answers through the proxy on the node, a pod reaches the node's
 * address, a pod's DNS query over TCP is answered); a NetworkPolicy and a Service applied through the
 * written kubeconfig (kubectl when installed, else fabric8 with the same file) take effect;
 * {@code status} shows pods, Services, endpoints and counters; {@code down} leaves no namespace,
 * veth (the host port's included), route, XDP program, shared-memory file, process or state behind. Each step is bounded in time.
 */
class IsthmusUpIT {
    private static final Path HOME = Path.of(System.getProperty("isthmus.home", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Path stateDir;
    private FakeUpstreamResolver upstream;
    private Path upstreamResolvConf = Path.of("/nonexistent");
    /** This run's host port (unique: another agent on the machine keeps its own). */
    private final String hostPort = "isu" + java.util.HexFormat.of().toHexDigits((int) (Math.random() * 0xFFFFFF)).substring(2);
    /** This run's Ingress ports, from the kernel (free now), so a benchmark's session on 18080 or another IT can run beside it. */
    private final int httpPort = freePort();
    private final int httpsPort = freePort();
    /** This run's pod CIDR: the host port routes it, so another session's (10.244.0.0/24 by default) must differ. */
    private final String podNet = "10.244." + (100 + (int) (Math.random() * 100)) + ".";
    /** This run's cluster DNS address: its host port serves DNS over TCP on it, so another session's (10.96.0.10) must differ. */
    private final String clusterDns = "10.96." + podNet.split("\\.")[2] + ".10";

    @AfterEach
    void down() throws InterruptedException {
        if (stateDir != null) {
            isthmus(120, "down"); // whatever the test left, even when it failed
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void upServesTheDemoTakesChangesThroughKubectlAndDownLeavesNothing() throws Exception {
        Privileges.assumeRootAndAfXdp();
        assertTrue(Shell.run(5, "socat", "-V").ok() && Shell.run(5, "curl", "--version").ok(),
                "socat and curl (scripts/install-deps.sh) run the demo");
        stateDir = dir.resolve("state");
        upstream = new FakeUpstreamResolver("192.0.2.77");
        upstreamResolvConf = Files.writeString(dir.resolve("upstream-resolv.conf"), "nameserver " + upstream.address() + "\n");

        Files.writeString(dir.resolve("none.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: second}\n");
        final Shell.Result up = isthmus(300, "up", "--detach");
        assertTrue(up.ok(), up.output());
        assertTrue(up.output().contains("kubectl --kubeconfig " + stateDir.resolve("kubeconfig")), up.output());
        final UpState state = new UpState(stateDir);
        final Map<String, PodRecord> pods = state.pods().stream().collect(Collectors.toMap(PodRecord::key, p -> p));
        assertEquals(Set.of("default/client", "default/stranger", "web/echo-0", "web/echo-1", "web/echo-2"), pods.keySet());
        final List<String> leftovers = Files.exists(state.leftoversFile()) ? Files.readAllLines(state.leftoversFile()) : List.of();
        final long sessionPid = state.sessionProcess().orElseThrow().pid();
        assertTrue(leftovers.contains(state.conntrackTable().toString()), "the session's own conntrack table, removed by down: " + leftovers);
        final Shell.Result conntrack = isthmus(30, "conntrack", "count");
        assertTrue(conntrack.ok() && conntrack.output().strip().matches("\\d+"), "conntrack finds the running session's table: " + conntrack.output());

        // a second session on this machine: refused before it makes anything, naming what it would share and how to choose
        final Path secondState = dir.resolve("second-state");
        final Shell.Result second = isthmusIn(secondState, 120, "up", "--detach", "-f", dir.resolve("none.yaml").toString());
        assertFalse(second.ok(), second.output());
        for (String named : List.of("ISTHMUS_INGRESS_HTTP_PORT", "ISTHMUS_INGRESS_HTTPS_PORT", "ISTHMUS_HOST_PORT", "ISTHMUS_UP_POD_CIDR",
                "ISTHMUS_UP_CLUSTER_DNS")) {
            assertTrue(second.output().contains(named), "the refusal names " + named + ": " + second.output());
        }
        assertTrue(Shell.run(10, "ip", "link", "show", hostPort).ok(), "the first session's host port survives the refused second one");
        assertFalse(Files.exists(secondState), "the refused session left no state");

        final String client = pods.get("default/client").podIp();
        final PodRecord echo0 = pods.get("web/echo-0");
        final Shell.Result direct = retry(10, r -> r.ok(), () -> exec("default/client", "curl", "-sS", "--max-time", "3", "http://" + echo0.podIp() + ":8080/"));
        assertEquals("pod=echo-0 client=" + client + "\n", direct.output(), "pod to pod");

        for (String backend : List.of("web/echo-1", "web/echo-2")) { // every backend, from the other namespace
            final Shell.Result answer = retry(10, r -> r.ok(),
                    () -> exec("default/client", "curl", "-sS", "--max-time", "3", "http://" + pods.get(backend).podIp() + ":8080/"));
            assertEquals("pod=" + backend.substring(4) + " client=" + client + "\n", answer.output());
        }
        assertEquals(7, exec("default/client", "sh", "-c", "exit 7").exitCode(), "exec returns the command's exit code");

        try (KubernetesClient kube = kubernetes(state.kubeconfig())) {
            final String clusterIp = kube.services().inNamespace("web").withName("echo").get().getSpec().getClusterIP();
            assertNotNull(clusterIp, "the API server gave the echo Service a ClusterIP");
            final Set<String> answered = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                final Shell.Result viaService = retry(5, r -> r.ok(), () -> exec("default/client", "curl", "-sS", "--max-time", "3", "http://" + clusterIp + "/"));
                assertTrue(viaService.output().matches("pod=echo-[012] client=" + client.replace(".", "\\.") + "\n"), viaService.output());
                answered.add(viaService.output());
            }
            assertTrue(answered.size() > 1, "the ClusterIP spreads connections over the backends: " + answered);

            final String hostIp = kube.pods().inNamespace("web").withName("echo-0").get().getStatus().getHostIP();

            // Cluster DNS: answered inline by the fast path from the zone (the pod's resolv.conf names this run's address) ...
            assertTrue(exec("default/client", "cat", "/etc/resolv.conf").output().contains("nameserver " + clusterDns), "the session's DNS address");
            final Shell.Result resolved = retry(10, r -> r.ok() && r.output().startsWith(clusterIp + " "),
                    () -> exec("default/client", "getent", "hosts", "echo.web.svc.cluster.local"));
            assertTrue(resolved.output().startsWith(clusterIp + " "), "the Service's name resolves to its ClusterIP: " + resolved.output());
            final Shell.Result shortName = exec("web/echo-0", "getent", "hosts", "echo");
            assertTrue(shortName.output().startsWith(clusterIp + " "), "the search path of the pod's namespace: " + shortName.output());
            // ... and a name outside the cluster goes to the forwarder's (fake, loopback) upstream
            final Shell.Result outside = exec("default/client", "dig", "+short", "+tries=2", "+time=2", "www.example.org", "A");
            assertEquals("192.0.2.77", outside.output().strip(), "forwarded to the fake upstream: " + outside.output());
            assertTrue(upstream.queries() > 0, "the fake upstream was asked");

            // ... and over TCP (what a resolver does after a truncated UDP answer): the fast path routes it out of
            // the host port to the agent, which serves the zone on the cluster DNS address on the host
            final Shell.Result overTcp = retry(10, r -> r.ok() && r.output().strip().equals(clusterIp),
                    () -> exec("default/client", "dig", "+tcp", "+short", "+tries=1", "+time=3", "echo.web.svc.cluster.local", "A"));
            assertEquals(clusterIp, overTcp.output().strip(), "DNS over TCP from a pod: " + overTcp.output());

            // The host port: pods reach the node's address, the node reaches pods (its pod CIDR route)
            final Shell.Result hostVeth = Shell.run(10, "ip", "-4", "route", "show", podNet + "0/24");
            assertTrue(hostVeth.output().contains("dev " + hostPort) && hostVeth.output().contains("src " + hostIp), hostVeth.output());
            final Shell.Result fromNode = retry(10, r -> r.ok(), () -> Shell.run(10, "curl", "-sS", "--max-time", "3", "http://" + echo0.podIp() + ":8080/"));
            assertEquals("pod=echo-0 client=" + hostIp + "\n", fromNode.output(), "node to pod, seen as the node address");

            // Ingress: the agent's controller serves the demo's Ingress (status = the node address) on the
            // configured port, and its proxy reaches the echo pods through the host port
            final String ingressIp = retryValue(20, () -> {
                final var status = kube.network().v1().ingresses().inNamespace("web").withName("echo").get().getStatus();
                return status == null || status.getLoadBalancer() == null || status.getLoadBalancer().getIngress() == null
                        || status.getLoadBalancer().getIngress().isEmpty() ? null : status.getLoadBalancer().getIngress().getFirst().getIp();
            });
            assertEquals(hostIp, ingressIp, "the demo Ingress is served, with the node address as its status");
            final Shell.Result unrouted = Shell.run(10, "curl", "-sS", "--max-time", "3", "-H", "Host: nobody.demo.local", "http://127.0.0.1:" + httpPort + "/");
            assertEquals("404 Not Found", unrouted.output().strip(), "the proxy listens on the configured port: " + unrouted.output());
            final Shell.Result viaIngress = retry(20, r -> r.ok() && r.output().startsWith("pod=echo-"),
                    () -> Shell.run(10, "curl", "-sS", "--max-time", "3", "-H", "Host: echo.demo.local", "http://" + hostIp + ":" + httpPort + "/"));
            assertTrue(viaIngress.output().matches("pod=echo-[012] client=" + hostIp.replace(".", "\\.") + "\n"),
                    "the README's ingress curl: the proxy reaches a backend pod from the node address: " + viaIngress.output());
            final Shell.Result podToNode = retry(10, r -> r.ok() && r.output().startsWith("pod=echo-"),
                    () -> exec("default/client", "curl", "-sS", "--max-time", "3", "-H", "Host: echo.demo.local", "http://" + hostIp + ":" + httpPort + "/"));
            assertTrue(podToNode.output().startsWith("pod=echo-"), "a pod reaches the node's address (the ingress on the host): " + podToNode.output());

            final Shell.Result viaNodePort = retry(5, r -> r.ok(), () -> exec("default/client", "curl", "-sS", "--max-time", "3", "http://" + hostIp + ":30080/"));
            assertTrue(viaNodePort.output().startsWith("pod=echo-"), "the NodePort on the node address: " + viaNodePort.output());

            final Shell.Result shutOut = exec("default/stranger", "curl", "-sS", "--max-time", "2", "http://" + clusterIp + "/");
            assertFalse(shutOut.ok(), "the policy shuts the stranger out: " + shutOut.output());

            apply(state.kubeconfig(), kube, """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: let-the-stranger-in, namespace: web}
                    spec:
                      podSelector: {matchLabels: {app: echo}}
                      ingress:
                      - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: default}}, podSelector: {matchLabels: {role: stranger}}}]
                    """);
            final Shell.Result letIn = retry(30, r -> r.ok(), () -> exec("default/stranger", "curl", "-sS", "--max-time", "2", "http://" + clusterIp + "/"));
            assertTrue(letIn.output().startsWith("pod=echo-"), "the policy applied live lets the stranger in: " + letIn.output());

            apply(state.kubeconfig(), kube, """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: echo-direct, namespace: web}
                    spec:
                      selector: {app: echo}
                      ports: [{port: 8080, targetPort: 8080, protocol: TCP}]
                    """);
            final Service added = retryValue(30, () -> {
                final Service s = kube.services().inNamespace("web").withName("echo-direct").get();
                return s != null && s.getSpec().getClusterIP() != null ? s : null;
            });
            final Shell.Result viaNewService = retry(30, r -> r.ok(),
                    () -> exec("default/client", "curl", "-sS", "--max-time", "2", "http://" + added.getSpec().getClusterIP() + ":8080/"));
            assertTrue(viaNewService.output().startsWith("pod=echo-"), "the Service applied live works: " + viaNewService.output());

            final String endpoints = pods.get("web/echo-0").podIp() + "," + pods.get("web/echo-1").podIp() + "," + pods.get("web/echo-2").podIp();
            final Shell.Result status = isthmus(60, "status");
            assertTrue(status.ok(), status.output());
            assertTrue(status.output().contains("web/echo-direct") && status.output().contains(added.getSpec().getClusterIP())
                    && status.output().contains(endpoints) && status.output().contains("default/client")
                    && status.output().contains(client + " ") && status.output().contains("Running, Ready"), status.output());
            assertTrue(status.output().contains("isthmus_ports_attached 5") && status.output().contains("pod=\"default/client\"")
                    && status.output().contains("isthmus_drops_total{reason=\"policy_denied\"}"), "the agent's counters, by pod: " + status.output());
        }

        final Shell.Result down = isthmus(120, "down");
        assertTrue(down.ok(), down.output());
        for (PodRecord pod : pods.values()) {
            assertFalse(Files.exists(pod.netnsPath()), "netns " + pod.netnsName() + " removed");
            assertFalse(Files.exists(Path.of("/etc/netns", pod.netnsName())), "the pod's resolv.conf directory removed");
            final String veth = PodAttachment.hostInterfaceName(pod.containerId(), PodRunner.POD_IFNAME);
            assertFalse(Shell.run(10, "ip", "link", "show", veth).ok(), "veth " + veth + " removed (and its XDP program with it)");
            assertTrue(ProcessHandle.of(pod.pid()).isEmpty(), "the command of " + pod.key() + " ended");
        }
        assertFalse(Shell.run(10, "ip", "link", "show", hostPort).ok(), "the host port " + hostPort + " removed");
        assertFalse(Shell.run(10, "ip", "link", "show", hostPort + "fp").ok(), "its fast-path end removed (and its XDP program with it)");
        assertEquals("", Shell.run(10, "ip", "-4", "route", "show", podNet + "0/24").output().strip(), "the pod CIDR route removed");
        // (other links of this machine may carry XDP programs of other tests: only ours are checked, above)
        for (String leftover : leftovers) {
            assertFalse(Files.exists(Path.of(leftover)), leftover + " removed");
        }
        assertTrue(ProcessHandle.of(sessionPid).isEmpty(), "the session ended");
        assertFalse(Files.exists(stateDir), "the state directory is gone");
        assertTrue(isthmus(60, "down").ok(), "down again is fine");
    }

    /**
     * The node runs what is scheduled to it: {@code up -f} on a directory with one client pod, then a
     * pod and a Service applied through the API server with the written kubeconfig (kubectl when
     * installed) get a namespace, an address of the pod CIDR in {@code status.podIP}, an
     * EndpointSlice, and answer through the ClusterIP from the client; deleted with kubectl, the pod's
     * command, namespace, veth and address are gone and its slice is empty; a pod without a command
     * is reported Failed with the reason. Names are unique to the run (a Kubernetes namespace of its own).
     */
    @Test
    @Timeout(value = 360, unit = TimeUnit.SECONDS)
    void podsAppliedWithKubectlRunAndDeletedOnesLeaveNothing() throws Exception {
        Privileges.assumeRootAndAfXdp();
        assertTrue(Shell.run(5, "socat", "-V").ok() && Shell.run(5, "curl", "--version").ok(), "socat and curl (scripts/install-deps.sh)");
        stateDir = dir.resolve("state");
        final Path manifests = Files.createDirectories(dir.resolve("manifests"));
        final Shell.Result refused = isthmus(120, "up", "--detach", "-f", manifests.toString()); // upstreams: /nonexistent
        assertFalse(refused.ok(), refused.output());
        assertTrue(refused.output().contains("cluster DNS upstreams from /nonexistent"),
                "a detached session that fails says why, though it removed its state and log: " + refused.output());
        assertFalse(Files.exists(stateDir), "and leaves nothing");
        upstream = new FakeUpstreamResolver("192.0.2.78"); // cluster DNS needs upstreams; never the machine's resolver
        upstreamResolvConf = Files.writeString(dir.resolve("upstream-resolv.conf"), "nameserver " + upstream.address() + "\n");
        final String ns = "late" + java.util.HexFormat.of().toHexDigits((int) (Math.random() * 0xFFFFFF)).substring(2);
        Files.writeString(manifests.resolve("client.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: client, namespace: NS}
                spec:
                  containers: [{name: shell, command: ["sleep", "infinity"]}]
                """.replace("NS", ns));
        final Shell.Result up = isthmus(300, "up", "--detach", "-f", manifests.toString());
        assertTrue(up.ok(), up.output());
        final UpState state = new UpState(stateDir);
        final PodRecord client = state.pod(ns, "client").orElseThrow();

        try (KubernetesClient kube = kubernetes(state.kubeconfig())) {
            apply(state.kubeconfig(), kube, echoPod(ns, "late-echo") + """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: late-echo, namespace: NS}
                    spec:
                      selector: {app: late-echo}
                      ports: [{port: 80, targetPort: 8080, protocol: TCP}]
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: image-only, namespace: NS}
                    spec:
                      containers: [{name: main, image: nginx}]
                    """.replace("NS", ns));
            final String podIp = retryValue(60, () -> {
                final var pod = kube.pods().inNamespace(ns).withName("echo").get();
                return pod != null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()) ? pod.getStatus().getPodIP() : null;
            });
            assertTrue(podIp.startsWith(podNet), "status.podIP from the node's pod CIDR: " + podIp);
            final PodRecord echo = state.pod(ns, "echo").orElseThrow();
            assertEquals(podIp, echo.podIp());
            assertTrue(Files.exists(echo.netnsPath()), "its network namespace");
            final String veth = PodAttachment.hostInterfaceName(echo.containerId(), PodRunner.POD_IFNAME);
            assertTrue(Shell.run(10, "ip", "link", "show", veth).ok(), "its veth " + veth);
            final Path address = stateDir.resolve("cni/ipam/isthmus").resolve(podIp);
            assertTrue(Files.exists(address), "its address allocated in " + address);
            retryValue(30, () -> endpointsOf(kube, ns, "late-echo").contains(podIp) ? "listed" : null); // an EndpointSlice lists the new pod

            final String clusterIp = kube.services().inNamespace(ns).withName("late-echo").get().getSpec().getClusterIP();
            final Shell.Result viaService = retry(30, r -> r.ok(),
                    () -> exec(ns + "/client", "curl", "-sS", "--max-time", "3", "http://" + clusterIp + "/"));
            assertEquals("pod=echo client=" + client.podIp() + "\n", viaService.output(), "the ClusterIP reaches the pod applied later");

            final String refusal = retryValue(30, () -> {
                final var pod = kube.pods().inNamespace(ns).withName("image-only").get();
                return pod != null && pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase()) ? pod.getStatus().getMessage() : null;
            });
            assertTrue(refusal.contains("has no command"), "a pod up cannot run says why in its status: " + refusal);
            final Shell.Result status = isthmus(60, "status");
            assertTrue(status.output().lines().anyMatch(l -> l.startsWith(ns + "/image-only ") && l.contains("Failed: ") && l.contains("has no command")),
                    "status lists the pod that does not run, and why: " + status.output());

            delete(state.kubeconfig(), kube, ns, "echo");
            retryValue(60, () -> Files.exists(state.podRecordFile(ns, "echo")) ? null : "gone");
            assertFalse(Files.exists(echo.netnsPath()), "netns " + echo.netnsName() + " removed");
            assertFalse(Shell.run(10, "ip", "link", "show", veth).ok(), "veth " + veth + " removed (and its XDP program with it)");
            assertFalse(Files.exists(address), "address " + podIp + " free again");
            assertTrue(ProcessHandle.of(echo.pid()).isEmpty(), "its command ended");
            retryValue(30, () -> endpointsOf(kube, ns, "late-echo").contains(podIp) ? null : "unlisted");
            final Shell.Result afterDelete = exec(ns + "/client", "curl", "-sS", "--max-time", "2", "http://" + clusterIp + "/");
            assertFalse(afterDelete.ok(), "nothing answers the Service once its only pod is deleted: " + afterDelete.output());
        }

        final Shell.Result down = isthmus(120, "down");
        assertTrue(down.ok(), down.output());
        assertFalse(Files.exists(client.netnsPath()), "the client's netns removed");
        assertFalse(Shell.run(10, "ip", "link", "show", hostPort).ok(), "the host port " + hostPort + " removed");
        assertFalse(Files.exists(stateDir), "the state directory is gone");
    }

    /**
     * {@code up --uplink IFACE} as a user runs it on a node whose NIC is a veth this test makes: its
     * host end is the "NIC" (a node address of its own), its other end is an outside client in a
     * namespace of the test's. A NodePort Service over a pod of {@code up} answers the client at
     * NODE-IP:NODEPORT through the uplink; {@code status} names the uplink. Then the session is killed
     * (SIGKILL, a crash): its XDP attachment (a BPF link of the process) is gone with it, and
     * {@code down} removes the rest. The veth and namespace have names unique to the run and are
     * removed even when the test fails.
     */
    @Test
    @Timeout(value = 360, unit = TimeUnit.SECONDS)
    void theUplinkServesANodePortToAnOutsideClientAndGoesAwayWithACrashedSession() throws Exception {
        Privileges.assumeRootAndAfXdp();
        assertTrue(Shell.run(5, "socat", "-V").ok() && Shell.run(5, "curl", "--version").ok() && Shell.run(5, "ethtool", "--version").ok(),
                "socat, curl and ethtool (scripts/install-deps.sh)");
        final String hex = java.util.HexFormat.of().toHexDigits((int) (Math.random() * 0xFFFFFF)).substring(2);
        final String nic = "isun" + hex;
        final String outside = "isthmus-it-out-" + hex;
        final int subnet = 1 + (int) (Math.random() * 250);
        final String nodeIp = "198.18." + subnet + ".1";
        final String clientIp = "198.18." + subnet + ".2";
        try {
            Shell.check("ip", "netns", "add", outside);
            Shell.check("ip", "link", "add", nic, "type", "veth", "peer", "name", "eth0", "netns", outside);
            Shell.check("ip", "addr", "add", nodeIp + "/24", "dev", nic);
            Shell.check("ip", "link", "set", nic, "up");
            Shell.check("ip", "-n", outside, "link", "set", "lo", "up");
            Shell.check("ip", "-n", outside, "addr", "add", clientIp + "/24", "dev", "eth0");
            Shell.check("ip", "-n", outside, "link", "set", "eth0", "up");
            // the fast path takes the client's frames raw: their checksums must be complete
            Shell.check("ip", "netns", "exec", outside, "ethtool", "-K", "eth0", "tx", "off", "tso", "off", "gso", "off");

            stateDir = dir.resolve("state");
            upstream = new FakeUpstreamResolver("192.0.2.79");
            upstreamResolvConf = Files.writeString(dir.resolve("upstream-resolv.conf"), "nameserver " + upstream.address() + "\n");
            final String ns = "upl" + hex;
            final Path manifests = Files.createDirectories(dir.resolve("manifests"));
            Files.writeString(manifests.resolve("echo.yaml"), echoPod(ns, "outside-echo") + """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: outside-echo, namespace: NS}
                    spec:
                      type: NodePort
                      selector: {app: outside-echo}
                      ports: [{port: 80, targetPort: 8080, nodePort: 30777, protocol: TCP}]
                    """.replace("NS", ns));

            final Shell.Result up = isthmus(300, "up", "--detach", "-f", manifests.toString(), "--uplink", nic);
            assertTrue(up.ok(), up.output());
            assertTrue(up.output().contains("uplink " + nic), "the summary names the uplink: " + up.output());
            assertTrue(Shell.check("ip", "-o", "link", "show", "dev", nic).contains("xdp"), "the uplink carries the steering program");
            final UpState state = new UpState(stateDir);
            final long sessionPid = state.sessionProcess().orElseThrow().pid();
            final List<PodRecord> pods = state.pods();

            final Shell.Result fromOutside = retry(20, r -> r.ok() && r.output().startsWith("pod=echo "),
                    () -> Shell.run(10, "ip", "netns", "exec", outside, "curl", "-sS", "--max-time", "3", "http://" + nodeIp + ":30777/"));
            assertTrue(fromOutside.output().startsWith("pod=echo "), "the NodePort answers the outside client through the uplink: " + fromOutside.output());
            final Shell.Result status = isthmus(60, "status");
            assertTrue(status.output().contains("uplink: " + nic), status.output());

            ProcessHandle.of(sessionPid).ifPresent(ProcessHandle::destroyForcibly); // a crash: no teardown of its own
            ProcessHandle.of(sessionPid).ifPresent(p -> p.onExit().join());
            final Shell.Result afterCrash = retry(20, r -> !r.output().contains("xdp"), () -> Shell.run(10, "ip", "-o", "link", "show", "dev", nic));
            assertFalse(afterCrash.output().contains("xdp"), "the crashed session's uplink program went with its process: " + afterCrash.output());
            assertTrue(Shell.run(10, "ip", "link", "show", nic).ok(), "the NIC itself stays");

            final Shell.Result down = isthmus(120, "down");
            assertTrue(down.ok(), down.output());
            assertFalse(down.output().contains("still carries an XDP program"), down.output());
            for (PodRecord pod : pods) {
                assertFalse(Files.exists(pod.netnsPath()), "netns " + pod.netnsName() + " removed");
            }
            assertFalse(Shell.run(10, "ip", "link", "show", hostPort).ok(), "the host port " + hostPort + " removed");
            assertFalse(Files.exists(stateDir), "the state directory is gone");
            final Shell.Result refused = Shell.run(10, "ip", "netns", "exec", outside, "curl", "-sS", "--max-time", "2", "http://" + nodeIp + ":30777/");
            assertFalse(refused.ok(), "after down the host has the NodePort back (nothing listens): " + refused.output());
        } finally {
            Shell.run(30, "ip", "netns", "del", outside); // takes the veth pair with it
            Shell.run(10, "ip", "link", "del", nic);
        }
    }

    /** Every endpoint address of the Service's EndpointSlices, comma-separated. */
    private static String endpointsOf(KubernetesClient kube, String namespace, String service) {
        return kube.discovery().v1().endpointSlices().inNamespace(namespace).withLabel("kubernetes.io/service-name", service).list()
                .getItems().stream().flatMap(slice -> slice.getEndpoints() == null ? java.util.stream.Stream.empty() : slice.getEndpoints().stream())
                .flatMap(endpoint -> endpoint.getAddresses().stream()).collect(Collectors.joining(","));
    }

    /** kubectl delete pod with the written kubeconfig when kubectl is installed; else the same through fabric8. */
    private static void delete(Path kubeconfig, KubernetesClient kube, String namespace, String pod) throws Exception {
        if (Shell.run(10, "kubectl", "version", "--client").ok()) {
            Shell.check("kubectl", "--kubeconfig", kubeconfig.toString(), "-n", namespace, "delete", "pod", pod, "--wait=false");
        } else {
            kube.pods().inNamespace(namespace).withName(pod).delete();
        }
    }

    private Shell.Result isthmus(long timeoutSeconds, String... args) {
        return isthmusIn(stateDir, timeoutSeconds, args);
    }

    private Shell.Result isthmusIn(Path state, long timeoutSeconds, String... args) {
        final List<String> command = new ArrayList<>(List.of("env", "ISTHMUS_NO_BUILD=1", "ISTHMUS_UP_STATE=" + state,
                "ISTHMUS_DNS_UPSTREAMS=" + upstreamResolvConf, "ISTHMUS_INGRESS_HTTP_PORT=" + httpPort,
                "ISTHMUS_INGRESS_HTTPS_PORT=" + httpsPort, "ISTHMUS_UP_POD_CIDR=" + podNet + "0/24", "ISTHMUS_UP_CLUSTER_DNS=" + clusterDns,
                "ISTHMUS_HOST_PORT=" + hostPort,
                HOME.resolve("isthmus").toString()));
        command.addAll(List.of(args));
        return Shell.run(timeoutSeconds, command.toArray(String[]::new));
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Shell.Result exec(String pod, String... command) {
        final List<String> args = new ArrayList<>(List.of("exec", pod, "--"));
        args.addAll(List.of(command));
        return isthmus(30, args.toArray(String[]::new));
    }

    private static KubernetesClient kubernetes(Path kubeconfig) throws Exception {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    }

    /** kubectl apply with the written kubeconfig when kubectl is installed; else the same through fabric8. */
    private void apply(Path kubeconfig, KubernetesClient kube, String yaml) throws Exception {
        if (Shell.run(10, "kubectl", "version", "--client").ok()) {
            final Path file = Files.writeString(dir.resolve("live.yaml"), yaml);
            // no OpenAPI document on the embedded server: kubectl cannot validate against a schema
            Shell.check("kubectl", "--kubeconfig", kubeconfig.toString(), "apply", "--validate=false", "-f", file.toString());
        } else {
            kube.load(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))).serverSideApply();
        }
    }

    private static Shell.Result retry(int attempts, Predicate<Shell.Result> done, java.util.function.Supplier<Shell.Result> action) throws InterruptedException {
        Shell.Result result = action.get();
        for (int i = 1; i < attempts && !done.test(result); i++) {
            Thread.sleep(500);
            result = action.get();
        }
        return result;
    }

    private static <T> T retryValue(int seconds, java.util.function.Supplier<T> action) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            final T value = action.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("nothing within " + seconds + " s");
    }

    /**
     * Pod {@code echo} of {@code namespace}, labelled {@code app: label}: socat on 8080 answering
     * one HTTP/1.0 line with its pod name and the client's address; then a YAML document separator.
     */
    private static String echoPod(String namespace, String label) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: echo, namespace: NS, labels: {app: LABEL}}
                spec:
                  containers:
                  - name: echo
                    command: ["socat", "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:eval \\"$REPLY\\""]
                    env:
                    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                    - name: REPLY
                      value: >-
                        while read -r line; do case "$line" in "$(printf '\\r')"|'') break;; esac; done;
                        printf 'HTTP/1.0 200 OK\\r\\n\\r\\npod=%s client=%s\\n' "$POD_NAME" "$SOCAT_PEERADDR"
                ---
                """.replace("NS", namespace).replace("LABEL", label);
    }
}
