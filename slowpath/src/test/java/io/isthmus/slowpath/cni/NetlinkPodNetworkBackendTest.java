package io.isthmus.slowpath.cni;

import io.isthmus.cni.shim.CniWire;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The netlink backend in real network namespaces (needs root): what ADD builds is read back with
 * iproute2 and ethtool, independent tools, not with our own netlink code.
 */
class NetlinkPodNetworkBackendTest {
    @TempDir
    Path dir;
    private final List<String> namespaces = new ArrayList<>();
    private final RecordingFastpathPorts fastpath = new RecordingFastpathPorts();
    private final NetlinkPodNetworkBackend backend = new NetlinkPodNetworkBackend(fastpath);

    @BeforeEach
    void needsRoot() {
        Privileges.assumeRootAndAfXdp();
    }

    @AfterEach
    void removeNamespaces() {
        for (String namespace : namespaces) {
            Shell.run(30, "ip", "netns", "del", namespace);
        }
    }

    private String namespace() {
        String name = "isx-cni-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Shell.check("ip", "netns", "add", name);
        namespaces.add(name);
        return name;
    }

    private PodAttachment attachment(String namespace, String containerId, String address) {
        return new PodAttachment(containerId, "/var/run/netns/" + namespace, "eth0",
                PodAttachment.hostInterfaceName(containerId, "eth0"), Ipv4Cidr.parseAddress(address), PodAttachment.GATEWAY);
    }

    @Test
    void addBuildsTheCalicoLayoutAndDeleteRemovesIt() throws Exception {
        String ns = namespace();
        PodAttachment attachment = attachment(ns, "c-" + ns, "10.244.7.9");

        PodInterfaces interfaces = backend.add(attachment);

        String hostLink = Shell.check("ip", "-o", "link", "show", "dev", attachment.hostIfName());
        assertTrue(hostLink.contains("state UP") || hostLink.contains(",UP"), hostLink);
        assertTrue(hostLink.contains(interfaces.hostMac()), hostLink);
        assertTrue(Shell.check("ip", "-n", ns, "-o", "-4", "addr", "show", "dev", "eth0").contains("inet 10.244.7.9/32"));
        String routes = Shell.check("ip", "-n", ns, "-4", "route", "show");
        assertTrue(routes.contains("default via 169.254.1.1 dev eth0"), routes);
        assertTrue(routes.contains("169.254.1.1 dev eth0 scope link"), routes);
        String neighbours = Shell.check("ip", "-n", ns, "neigh", "show", "dev", "eth0");
        assertTrue(neighbours.contains("169.254.1.1 lladdr " + interfaces.hostMac() + " PERMANENT"), neighbours);
        assertTrue(Shell.check("ip", "-n", ns, "-o", "link", "show", "dev", "eth0").contains(interfaces.podMac()));
        String offloads = Shell.check("ip", "netns", "exec", ns, "ethtool", "-k", "eth0");
        // the pod keeps what the fast path finishes (partial checksums, IPv4 TCP super-packets) ...
        assertTrue(offloads.contains("tx-checksumming: on"), offloads);
        assertTrue(offloads.contains("scatter-gather: on"), offloads);
        assertTrue(offloads.contains("tx-tcp-segmentation: on"), offloads);
        assertTrue(offloads.contains("generic-segmentation-offload: on"), offloads);
        // ... and loses what it cannot: its stack segments these super-packets itself
        assertTrue(offloads.contains("tx-tcp6-segmentation: off"), offloads);
        assertTrue(offloads.contains("tx-udp-segmentation: off"), offloads);
        assertTrue(offloads.contains("tx-gso-list: off"), offloads);
        assertTrue(offloads.contains("tx-sctp-segmentation: off"), offloads);
        assertTrue(offloads.contains("tx-checksum-sctp: off"), offloads);
        assertEquals("10.244.7.9 " + interfaces.podMac(), fastpath.attached.get(attachment.hostIfName()));

        backend.check(attachment);

        backend.delete(attachment.hostIfName(), attachment.netns(), "eth0");
        assertFalse(Shell.run(10, "ip", "link", "show", "dev", attachment.hostIfName()).ok());
        assertFalse(Shell.run(10, "ip", "-n", ns, "link", "show", "dev", "eth0").ok());
        assertTrue(fastpath.attached.isEmpty());
        backend.delete(attachment.hostIfName(), attachment.netns(), "eth0"); // idempotent
    }

    @Test
    void checkSaysWhatIsMissing() throws Exception {
        String ns = namespace();
        PodAttachment attachment = attachment(ns, "c-" + ns, "10.244.7.10");
        backend.add(attachment);
        try {
            Shell.check("ip", "-n", ns, "route", "del", "default");
            CniException e = org.junit.jupiter.api.Assertions.assertThrows(CniException.class, () -> backend.check(attachment));
            assertEquals(CniException.CHECK_FAILED, e.code());
            assertTrue(e.details().contains("no default route via 169.254.1.1"), e.details());
        } finally {
            backend.delete(attachment.hostIfName(), attachment.netns(), "eth0");
        }
    }

    @Test
    void addIntoAMissingNamespaceIsAClearError() {
        PodAttachment attachment = attachment("isx-cni-does-not-exist", "c-missing", "10.244.7.11");
        CniException e = org.junit.jupiter.api.Assertions.assertThrows(CniException.class, () -> backend.add(attachment));
        assertEquals(CniException.INVALID_ENVIRONMENT, e.code());
        assertFalse(Shell.run(10, "ip", "link", "show", "dev", attachment.hostIfName()).ok());
    }

    @Test
    void deleteAfterTheNamespaceIsGoneSucceeds() throws Exception {
        String ns = namespace();
        PodAttachment attachment = attachment(ns, "c-" + ns, "10.244.7.12");
        backend.add(attachment);
        Shell.check("ip", "netns", "del", ns);
        backend.delete(attachment.hostIfName(), attachment.netns(), "eth0");
        assertFalse(Shell.run(10, "ip", "link", "show", "dev", attachment.hostIfName()).ok());
    }

    @Test
    void fiftyAddDelCyclesLeaveNothingBehind() throws Exception {
        String ns = namespace();
        IpamStore ipam = new IpamStore(dir.resolve("ipam"), Ipv4Cidr.parse("10.244.8.0/24"));
        CniHandler handler = new CniHandler(ipam, backend);
        // Unique per run: the host veth's name derives from it, and other tests on the machine
        // (another checkout's CI, a helper's run) make and remove isx* links at the same time.
        String containerId = "cycle-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        String hostIf = PodAttachment.hostInterfaceName(containerId, "eth0");
        String config = "{\"cniVersion\":\"1.1.0\",\"name\":\"cycles\",\"type\":\"isthmus\"}";
        Map<String, String> env = Map.of("CNI_CONTAINERID", containerId, "CNI_NETNS", "/var/run/netns/" + ns, "CNI_IFNAME", "eth0");
        for (int i = 0; i < 50; i++) {
            CniWire.Response added = handler.handle(with(env, "ADD"), config.getBytes(StandardCharsets.UTF_8));
            assertEquals(0, added.exitCode(), new String(added.stdout(), StandardCharsets.UTF_8));
            CniWire.Response deleted = handler.handle(with(env, "DEL"), config.getBytes(StandardCharsets.UTF_8));
            assertEquals(0, deleted.exitCode(), new String(deleted.stdout(), StandardCharsets.UTF_8));
        }
        assertTrue(ipam.all("cycles").isEmpty(), "every address was released");
        assertTrue(fastpath.attached.isEmpty(), "every port was detached");
        assertFalse(Shell.run(10, "ip", "link", "show", "dev", hostIf).ok(), "no host veth " + hostIf + " left");
        String podLinks = Shell.check("ip", "-n", ns, "-o", "link", "show");
        assertEquals(1, podLinks.lines().count(), "only lo is left in the pod: " + podLinks);
        assertFalse(Shell.check("ip", "-n", ns, "-4", "addr", "show").contains("10.244.8."));
    }

    private static Map<String, String> with(Map<String, String> env, String command) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("CNI_COMMAND", command);
        return all;
    }
}
