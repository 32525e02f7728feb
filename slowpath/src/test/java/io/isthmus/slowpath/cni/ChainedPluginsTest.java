package io.isthmus.slowpath.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isthmus.cli.InstallCniCommand;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The reference plugins portmap, bandwidth and tuning (Debian's containernetworking-plugins)
 * chained after Isthmus in one conflist, run as a container runtime runs them: they need a
 * prevResult with the host veth and the container interface, which is what Isthmus returns.
 *
 * <p>Nothing happens in the machine's own namespace: a namespace of the test's own plays the node
 * (the plugins run in it through {@code ip netns exec}, the CNI server's netlink work through
 * {@link NodeNamespaceBackend}), so portmap's nat rules and chains, bandwidth's qdiscs and the host
 * veth live and die with it. Both namespaces have unique names and are deleted even when the test
 * fails. The one thing a namespace cannot hold: loading the ifb module (bandwidth) creates ifb0/ifb1
 * in the machine's namespace; those that were not there before are deleted.
 */
class ChainedPluginsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REFERENCE_PLUGINS = Path.of("/usr/lib/cni");

    @TempDir
    Path dir;
    private String node;
    private String pod;
    private CniServer server;
    private List<String> linksBefore;
    private String hostNatBefore;

    @BeforeEach
    void setUp() throws Exception {
        Privileges.assumeRootAndAfXdp();
        assumeTrue(Files.isExecutable(REFERENCE_PLUGINS.resolve("portmap")),
                "SKIPPED: Debian's containernetworking-plugins is not installed (scripts/install-deps.sh installs it)");
        String location = io.isthmus.cni.shim.CniShim.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assumeTrue(location.endsWith(".jar"), "SKIPPED: the cni-shim module is not packaged as a jar in this run");
        linksBefore = linkNames();
        hostNatBefore = Shell.check("iptables", "-t", "nat", "-S");
        final String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        node = "isx-chnode-" + suffix;
        Shell.check("ip", "netns", "add", node);
        pod = "isx-chpod-" + suffix;
        Shell.check("ip", "netns", "add", pod);
        server = CniServer.start(dir.resolve("run/cni.sock"), new CniHandler(
                new IpamStore(dir.resolve("ipam"), Ipv4Cidr.parse("10.244.9.0/24")),
                new NodeNamespaceBackend(Path.of("/var/run/netns", node), new NetlinkPodNetworkBackend(new RecordingFastpathPorts()))));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            try {
                server.close();
            } catch (java.io.IOException | RuntimeException e) {
                // the namespaces must go all the same
            }
        }
        for (String namespace : new String[] {pod, node}) {
            if (namespace != null) {
                Shell.run(30, "ip", "netns", "del", namespace); // takes the veth, the nat rules and the qdiscs with it
            }
        }
        if (linksBefore != null) {
            for (String link : linkNames()) {
                if (!linksBefore.contains(link) && link.startsWith("ifb")) {
                    Shell.run(10, "ip", "link", "del", link); // made by loading the ifb module, in the machine's namespace
                }
            }
        }
    }

    private static List<String> linkNames() {
        return Shell.check("ip", "-o", "link", "show").lines()
                .map(line -> line.split(": ")[1].split("@")[0]).toList();
    }

    /** A command run in the node's namespace. */
    private String inNode(String... command) {
        final List<String> line = new java.util.ArrayList<>(List.of("ip", "netns", "exec", node));
        line.addAll(List.of(command));
        return Shell.check(line.toArray(String[]::new));
    }

    @Test
    void portmapBandwidthAndTuningWorkAfterIsthmus() throws Exception {
        Path bin = dir.resolve("bin");
        InstallCniCommand.install(bin);
        Path confDir = dir.resolve("net.d");
        String conflist = Files.readString(InstallCniCommand.writeExampleConflist(confDir));
        ConflistRuntime runtime = new ConflistRuntime(List.of(bin, REFERENCE_PLUGINS),
                Map.of("ISTHMUS_CNI_SOCKET", server.socketPath().toString()), List.of("ip", "netns", "exec", node));
        ObjectNode runtimeConfig = JSON.createObjectNode();
        runtimeConfig.putArray("portMappings").addObject().put("hostPort", 18080).put("containerPort", 80).put("protocol", "tcp");
        runtimeConfig.putObject("bandwidth").put("ingressRate", 1_000_000).put("ingressBurst", 100_000)
                .put("egressRate", 1_000_000).put("egressBurst", 100_000);
        String containerId = "chain-" + pod;
        String netns = "/var/run/netns/" + pod;
        String hostIf = PodAttachment.hostInterfaceName(containerId, "eth0");

        ConflistRuntime.Invocation added = runtime.add(conflist, containerId, netns, "eth0", runtimeConfig);
        try {
            assertEquals(0, added.exitCode(), added.plugin() + ": " + added.stdout() + added.stderr());
            JsonNode result = JSON.readTree(added.stdout());
            assertEquals(hostIf, result.path("interfaces").get(0).path("name").asText(), result.toString());
            String podIp = result.path("ips").get(0).path("address").asText().replace("/32", "");

            assertEquals(hostNatBefore, Shell.check("iptables", "-t", "nat", "-S"), "the host's nat table is untouched");
            assertFalse(Shell.run(10, "ip", "link", "show", "dev", hostIf).ok(), "the host veth is in the node's namespace, not the machine's");
            // portmap: a DNAT of host port 18080 to the pod's port 80
            String nat = inNode("iptables-save", "-t", "nat");
            assertTrue(nat.contains("--dport 18080") && nat.contains(podIp + ":80"), nat);
            // bandwidth: ingress shaping on the host veth (traffic towards the pod)
            assertTrue(inNode("tc", "qdisc", "show", "dev", hostIf).contains("tbf"), "tbf on " + hostIf);
            // tuning: the sysctl inside the pod's namespace
            assertEquals("0", Shell.check("ip", "netns", "exec", pod, "sysctl", "-n", "net.ipv4.conf.eth0.accept_redirects").trim());
        } finally {
            JsonNode addResult = added.exitCode() == 0 ? JSON.readTree(added.stdout()) : null;
            ConflistRuntime.Invocation deleted = runtime.delete(conflist, containerId, netns, "eth0", runtimeConfig, addResult);
            assertEquals(0, deleted.exitCode(), deleted.plugin() + ": " + deleted.stdout() + deleted.stderr());
        }
        assertFalse(inNode("iptables-save", "-t", "nat").contains("--dport 18080"), "portmap's rule is gone after DEL");
        assertFalse(Shell.run(10, "ip", "netns", "exec", node, "ip", "link", "show", "dev", hostIf).ok(), "the host veth is gone after DEL");
        assertEquals(hostNatBefore, Shell.check("iptables", "-t", "nat", "-S"), "the host's nat table is untouched");
    }
}
