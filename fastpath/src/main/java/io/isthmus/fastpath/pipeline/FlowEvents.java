package io.isthmus.fastpath.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded ring of flow events (policy denials, Service rejections) from one worker to the agent
 * that logs them. Fixed-size records in a {@code long[]}, nothing allocated per event; when the
 * ring is full an event is counted in {@link #lost()} and not recorded (the worker never waits).
 *
 * <pre>
 *   record (3 longs):  [ kind:8 | protocol:8 | ingressPort:16 | dropReasonId:32 ]
 *                      [ srcIpv4:32 | dstIpv4:32 ]
 *                      [ srcPort:16 | dstPort:16 | 0:32 ]
 *   head (consumer) ... tail (producer), both counting records, index = count & mask
 * </pre>
 *
 * <p><b>Thread-safety:</b> single producer (the worker thread: {@link #record}), single consumer
 * (the agent: {@link #drain}). The producer writes a record with plain stores and publishes it
 * with a release store of the tail; the consumer reads the tail with an acquire load, reads the
 * records, and frees them with a release store of the head, which the producer reads with an
 * acquire load before reusing a slot. {@link #lost()} may be read by any thread.
 */
public final class FlowEvents {
    /** A new connection was denied by NetworkPolicy. */
    public static final int KIND_POLICY_DENIED = 1;
    /** A connection to a Service without endpoints was answered with RST / ICMP unreachable. */
    public static final int KIND_SERVICE_REJECTED = 2;

    private static final int LONGS_PER_EVENT = 3;
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle LOST;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(FlowEvents.class, "head", long.class);
            TAIL = lookup.findVarHandle(FlowEvents.class, "tail", long.class);
            LOST = lookup.findVarHandle(FlowEvents.class, "lost", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the consumer gets for each event. */
    @FunctionalInterface
    public interface Handler {
        void onEvent(int kind, DropReason reason, int protocol, int srcIpv4, int srcPort, int dstIpv4, int dstPort,
                     int ingressPort);
    }

    private final long[] records;
    private final int mask;
    @SuppressWarnings("unused") // through HEAD
    private volatile long head;
    @SuppressWarnings("unused") // through TAIL
    private volatile long tail;
    @SuppressWarnings("unused") // through LOST
    private volatile long lost;
    /** Producer's cached copy of the head, refreshed only when the ring looks full. */
    private long headCache;

    /** @param capacityEvents a power of two */
    public FlowEvents(int capacityEvents) {
        if (capacityEvents <= 0 || Integer.bitCount(capacityEvents) != 1) {
            throw new IllegalArgumentException("flow event ring capacity must be a power of two, was " + capacityEvents);
        }
        this.records = new long[capacityEvents * LONGS_PER_EVENT];
        this.mask = capacityEvents - 1;
    }

    public int capacity() {
        return mask + 1;
    }

    /** Producer (worker): records one event, or counts it lost when the ring is full. */
    public void record(int kind, DropReason reason, int protocol, int srcIpv4, int srcPort, int dstIpv4, int dstPort,
                       int ingressPort) {
        final long t = (long) TAIL.getOpaque(this);
        if (t - headCache > mask) {
            headCache = (long) HEAD.getAcquire(this);
            if (t - headCache > mask) {
                LOST.setRelease(this, (long) LOST.getOpaque(this) + 1);
                return;
            }
        }
        final int at = (int) (t & mask) * LONGS_PER_EVENT;
        records[at] = (long) (kind & 0xFF) << 56 | (long) (protocol & 0xFF) << 48 | (long) (ingressPort & 0xFFFF) << 32
                | (reason == null ? 0 : reason.id());
        records[at + 1] = (long) srcIpv4 << 32 | (dstIpv4 & 0xFFFF_FFFFL);
        records[at + 2] = (long) (srcPort & 0xFFFF) << 48 | (long) (dstPort & 0xFFFF) << 32;
        TAIL.setRelease(this, t + 1);
    }

    /** Consumer (agent): hands up to {@code limit} events to {@code handler}, oldest first; returns how many. */
    public int drain(Handler handler, int limit) {
        final long h = (long) HEAD.getOpaque(this);
        final long t = (long) TAIL.getAcquire(this);
        final int count = (int) Math.min(t - h, limit);
        for (int n = 0; n < count; n++) {
            final int at = (int) ((h + n) & mask) * LONGS_PER_EVENT;
            final long word0 = records[at];
            final long word1 = records[at + 1];
            final long word2 = records[at + 2];
            handler.onEvent((int) (word0 >>> 56), DropReason.ofId((int) word0), (int) (word0 >>> 48) & 0xFF,
                    (int) (word1 >>> 32), (int) (word2 >>> 48) & 0xFFFF, (int) word1, (int) (word2 >>> 32) & 0xFFFF,
                    (short) (word0 >>> 32));
        }
        HEAD.setRelease(this, h + count);
        return count;
    }

    /** Any thread: events not recorded because the ring was full. */
    public long lost() {
        return (long) LOST.getAcquire(this);
    }

    /** Any thread: events recorded and not drained yet (a racy snapshot). */
    public long pending() {
        return (long) TAIL.getAcquire(this) - (long) HEAD.getAcquire(this);
    }
}
