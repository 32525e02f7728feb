package io.isthmus.slowpath.up;

import io.isthmus.slowpath.cni.PodAttachment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status text without an API server: pods from the state, counters by pod name, zero counters left out. */
class StatusReportTest {
    @TempDir
    Path dir;

    @Test
    void namesPortsByPodAndLeavesOutZeroCounters() throws Exception {
        final UpState state = new UpState(dir);
        state.createDirectories();
        final PodRecord record = new PodRecord("web", "echo-0", "isthmus-web-echo-0", "cid-1", "10.244.0.3", 0);
        record.write(state.podRecordFile("web", "echo-0"));
        final String veth = PodAttachment.hostInterfaceName("cid-1", PodRunner.POD_IFNAME);
        final String counters = """
                # HELP isthmus_port_rx_packets_total frames received
                isthmus_port_rx_packets_total{interface="VETH",pod="VETH",slot="0"} 18
                isthmus_port_tx_packets_total{interface="VETH",pod="VETH",slot="0"} 0
                """.replace("VETH", veth);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        StatusReport.print(state, null, counters, new PrintStream(out, true, StandardCharsets.UTF_8));

        final String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("session: not running"), text);
        assertTrue(text.contains("web/echo-0") && text.contains("10.244.0.3") && text.contains("starting"), text);
        assertTrue(text.contains("the API server cannot be reached"), text);
        assertTrue(text.contains("isthmus_port_rx_packets_total{interface=\"" + veth + "\",pod=\"web/echo-0\",slot=\"0\"} 18"), text);
        assertFalse(text.contains("tx_packets") || text.contains("# HELP"), text);
    }

    @Test
    void podsThatDoNotRunHereAreListedWithWhy() throws Exception {
        final UpState state = new UpState(dir);
        state.createDirectories();
        new PodRecord("web", "echo-0", "isthmus-web-echo-0", "cid-1", "10.244.0.3", 0).write(state.podRecordFile("web", "echo-0"));
        final KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient()) {
            for (String name : List.of("echo-0", "waiting")) {
                client.pods().inNamespace("web").resource(new PodBuilder().withNewMetadata().withName(name).withNamespace("web").endMetadata()
                        .withNewStatus().withPhase("Pending").withMessage(name.equals("waiting") ? "executable serve not found (attempt 2 failed; trying again in 20 s)" : null)
                        .endStatus().build()).create();
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();

            StatusReport.print(state, client, null, new PrintStream(out, true, StandardCharsets.UTF_8));

            final String text = out.toString(StandardCharsets.UTF_8);
            assertTrue(text.lines().anyMatch(l -> l.startsWith("web/waiting ") && l.endsWith("Pending: executable serve not found (attempt 2 failed; trying again in 20 s)")), text);
            assertEquals(1, text.lines().filter(l -> l.startsWith("web/echo-0 ")).count(), "a pod running here once, with its address: " + text);
        } finally {
            server.destroy();
        }
    }
}
