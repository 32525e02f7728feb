package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowEvents;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Turns the worker's {@link FlowEvents} (policy denials, Service rejections) into log lines in
 * logfmt, one per event:
 *
 * <pre>
 *   ts=2026-11-26T07:50:01.123Z level=info event=policy_denied reason=policy_denied proto=tcp src=10.244.0.2:40312 dst=10.244.0.5:8080 port=3
 * </pre>
 *
 * At most {@code linesPerSecond} lines a second; beyond that events are counted and one line
 * {@code event=flow_events_suppressed count=N} says how many were left out. Events the worker
 * could not record (its ring was full) show as {@code event=flow_events_lost}.
 *
 * <p><b>Thread-safety:</b> the fast path's control agent thread only (the ring's one consumer).
 */
public final class FlowEventLog {
    private static final int DRAIN_LIMIT = 256;
    private static final long SECOND_NS = 1_000_000_000L;

    private final FlowEvents events;
    private final PrintStream out;
    private final int linesPerSecond;
    private final LongSupplier clockNs;
    private final FlowEvents.Handler handler = this::log;
    private long windowStartNs;
    private int linesInWindow;
    private long suppressed;
    private long lostReported;

    public FlowEventLog(FlowEvents events, PrintStream out, int linesPerSecond, LongSupplier clockNs) {
        this.events = events;
        this.out = out;
        this.linesPerSecond = linesPerSecond;
        this.clockNs = clockNs;
        this.windowStartNs = clockNs.getAsLong();
    }

    /** Logs what the worker recorded since the last call; returns the number of events drained. */
    public int drain() {
        final long nowNs = clockNs.getAsLong();
        if (nowNs - windowStartNs >= SECOND_NS) {
            if (suppressed > 0) {
                out.println(prefix() + " level=warn event=flow_events_suppressed count=" + suppressed);
                suppressed = 0;
            }
            windowStartNs = nowNs;
            linesInWindow = 0;
        }
        final long lost = events.lost();
        if (lost != lostReported) {
            out.println(prefix() + " level=warn event=flow_events_lost count=" + (lost - lostReported));
            lostReported = lost;
        }
        return events.drain(handler, DRAIN_LIMIT);
    }

    private void log(int kind, DropReason reason, int protocol, int srcIpv4, int srcPort, int dstIpv4, int dstPort, int ingressPort) {
        if (linesInWindow >= linesPerSecond) {
            suppressed++;
            return;
        }
        linesInWindow++;
        out.println(prefix() + " level=info event=" + kindName(kind)
                + " reason=" + reason.name().toLowerCase(Locale.ROOT)
                + " proto=" + protocolName(protocol)
                + " src=" + Ipv4Address.format(srcIpv4) + ":" + srcPort
                + " dst=" + Ipv4Address.format(dstIpv4) + ":" + dstPort
                + " port=" + ingressPort);
    }

    private static String prefix() {
        return "ts=" + Instant.now();
    }

    static String kindName(int kind) {
        return switch (kind) {
            case FlowEvents.KIND_POLICY_DENIED -> "policy_denied";
            case FlowEvents.KIND_SERVICE_REJECTED -> "service_rejected";
            default -> "flow_event_" + kind;
        };
    }

    static String protocolName(int protocol) {
        return switch (protocol) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            case 1 -> "icmp";
            default -> Integer.toString(protocol);
        };
    }
}
