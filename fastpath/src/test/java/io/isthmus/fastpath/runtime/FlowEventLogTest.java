package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowEvents;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowEventLogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong nowNs = new AtomicLong();

    private String[] lines() {
        final String text = bytes.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? new String[0] : text.split("\n");
    }

    @Test
    void aPolicyDenialBecomesOneLogfmtLine() {
        final FlowEvents events = new FlowEvents(16);
        final FlowEventLog log = new FlowEventLog(events, out, 100, nowNs::get);
        events.record(FlowEvents.KIND_POLICY_DENIED, DropReason.POLICY_DENIED, 6,
                Ipv4Address.parse("10.244.0.2"), 40312, Ipv4Address.parse("10.244.0.5"), 8080, 3);
        assertEquals(1, log.drain());
        final String[] lines = lines();
        assertEquals(1, lines.length);
        assertTrue(lines[0].matches("ts=\\S+ level=info event=policy_denied reason=policy_denied proto=tcp "
                + "src=10\\.244\\.0\\.2:40312 dst=10\\.244\\.0\\.5:8080 port=3"), lines[0]);
        assertEquals(0, log.drain(), "drained once");
    }

    @Test
    void beyondTheRateEventsAreCountedAndReportedOnce() {
        final FlowEvents events = new FlowEvents(64);
        final FlowEventLog log = new FlowEventLog(events, out, 2, nowNs::get);
        for (int i = 0; i < 5; i++) {
            events.record(FlowEvents.KIND_SERVICE_REJECTED, DropReason.SERVICE_REJECTED, 17,
                    Ipv4Address.parse("10.244.0.2"), 5000 + i, Ipv4Address.parse("10.96.0.20"), 53, 0);
        }
        assertEquals(5, log.drain());
        assertEquals(2, lines().length, "two lines in the first second");
        nowNs.addAndGet(1_000_000_000L);
        log.drain();
        final String[] lines = lines();
        assertEquals(3, lines.length);
        assertTrue(lines[2].endsWith("level=warn event=flow_events_suppressed count=3"), lines[2]);
        assertTrue(lines[0].contains("event=service_rejected") && lines[0].contains("proto=udp"), lines[0]);
    }
}
