package io.isthmus.slowpath.up;

import io.isthmus.slowpath.cni.PodAttachment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

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
}
