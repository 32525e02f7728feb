package io.isthmus.conntrack.reader;

import static io.isthmus.conntrack.ConntrackDescriptor.*;

import io.isthmus.conntrack.ConntrackCounter;
import io.isthmus.conntrack.ConntrackFlushFilter;
import io.isthmus.conntrack.ConntrackTable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a live table from another process through a read-only mapping: it never writes the
 * entries, buckets or counters, so it cannot slow or confuse the writers (it only shares their
 * cache lines for reading). Entries are copied under their seqlock (getAcquire, plain reads,
 * loadLoadFence, re-read; retried a few times, skipped if they keep moving).
 *
 * <p>The only write is the flush request ({@link #flush}), through a separate read-write
 * mapping of the header's mailbox: the owner carries it out with its normal removal path and
 * acknowledges it; nothing here ever removes an entry.
 *
 * <p>Thread-safety: one thread.
 */
public final class ConntrackReader implements AutoCloseable {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final int COPY_ATTEMPTS = 16;
    /** An owner whose heartbeat is older than this is considered gone. */
    public static final long OWNER_STALE_MS = 5_000;

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final int capacity;
    private final long entriesOffset;
    private final long epochUnixMs;

    private ConntrackReader(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.capacity = segment.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
        this.entriesOffset = entriesOffset(segment.get(ValueLayout.JAVA_INT, BUCKET_COUNT_OFFSET));
        this.epochUnixMs = segment.get(ValueLayout.JAVA_LONG, EPOCH_UNIX_MS_OFFSET);
    }

    /** Maps {@code path} read-only; a clear IOException if it is missing or not a table. */
    public static ConntrackReader open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no conntrack table (is the fast path running?)");
        }
        final Arena arena = Arena.ofConfined();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            final String problem = ConntrackTable.validate(segment);
            if (problem != null) {
                throw new IOException("conntrack table " + path + " " + problem);
            }
            return new ConntrackReader(path, arena, segment);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int capacity() {
        return capacity;
    }

    public int nowS(long unixMs) {
        return (int) ((unixMs - epochUnixMs) / 1000);
    }

    public int timeoutS(int stateId) {
        return segment.get(ValueLayout.JAVA_INT, TIMEOUTS_OFFSET + 4L * stateId);
    }

    public long ownerPid() {
        return (long) LONG.getAcquire(segment, (long) OWNER_PID_OFFSET);
    }

    public long ownerHeartbeatMs() {
        return (long) LONG.getAcquire(segment, (long) OWNER_HEARTBEAT_MS_OFFSET);
    }

    public long ownerStartMs() {
        return segment.get(ValueLayout.JAVA_LONG, OWNER_START_MS_OFFSET);
    }

    /**
     * Null if an owner is alive (its pid runs and started when the header says, so a reused pid
     * does not count, and its heartbeat is recent), else why not.
     */
    public String ownerProblem(long nowUnixMs) {
        final long pid = ownerPid();
        if (pid == 0) {
            return "no owner is running (the table was closed)";
        }
        final ProcessHandle process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElse(null);
        if (process == null) {
            return "no owner is running (owner pid " + pid + " is gone)";
        }
        final long startMs = ConntrackTable.processStartMs(process);
        final long recordedStartMs = ownerStartMs();
        if (recordedStartMs != 0 && startMs != 0 && startMs != recordedStartMs) {
            return "no owner is running (pid " + pid + " is now another process, started at " + startMs
                + " ms, not " + recordedStartMs + ")";
        }
        final long ageMs = nowUnixMs - ownerHeartbeatMs();
        if (ageMs > OWNER_STALE_MS) {
            return "the owner (pid " + pid + ") has not done its housekeeping for " + ageMs / 1000 + " s";
        }
        return null;
    }

    public Map<ConntrackCounter, Long> counters() {
        final Map<ConntrackCounter, Long> counters = new EnumMap<>(ConntrackCounter.class);
        for (ConntrackCounter counter : ConntrackCounter.values()) {
            long sum = 0;
            for (int stripe = 0; stripe < STRIPES; stripe++) {
                sum += (long) LONG.getAcquire(segment, stripeOffset(stripe, counter));
            }
            counters.put(counter, sum);
        }
        return counters;
    }

    /** Visits a consistent copy of every live entry. Returns the number visited. */
    public int forEach(long nowUnixMs, Consumer<ConntrackRecord> visitor) {
        final int nowS = nowS(nowUnixMs);
        int visited = 0;
        for (int i = 0; i < capacity; i++) {
            final ConntrackRecord record = copy(i, nowS);
            if (record != null) {
                visitor.accept(record);
                visited++;
            }
        }
        return visited;
    }

    /** Live entries (a scan; entries that keep moving are skipped). */
    public int count() {
        int live = 0;
        for (int i = 0; i < capacity; i++) {
            final long control = (long) LONG.getAcquire(segment, entriesOffset + windowOffset(i) + CONTROL);
            final int status = controlStatus(control);
            if (!seqOdd(control) && (statusFlags(status) & (io.isthmus.conntrack.ConntrackFlags.DYING
                | io.isthmus.conntrack.ConntrackFlags.CONFIRMED)) == io.isthmus.conntrack.ConntrackFlags.CONFIRMED) {
                live++;
            }
        }
        return live;
    }

    private ConntrackRecord copy(int index, int nowS) {
        // The entry's window (layout 3): the hot fields are offsets from it, the cold ones coldOffset.
        final long base = entriesOffset + windowOffset(index);
        for (int attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
            final long control = (long) LONG.getAcquire(segment, base + CONTROL);
            final int status = controlStatus(control);
            if (seqOdd(control) || status == 0) {
                return null;
            }
            final int decision = segment.get(ValueLayout.JAVA_INT, base + DECISION);
            final int origPorts = segment.get(ValueLayout.JAVA_INT, base + ORIG_PORTS);
            final int replyPorts = segment.get(ValueLayout.JAVA_INT, base + REPLY_PORTS);
            final long osh = segment.get(ValueLayout.JAVA_LONG, base + coldOffset(index, COLD_ORIG_SRC_HI));
            final long osl = segment.get(ValueLayout.JAVA_LONG, base + ORIG_SRC_LO);
            final long odh = segment.get(ValueLayout.JAVA_LONG, base + coldOffset(index, COLD_ORIG_DST_HI));
            final long odl = segment.get(ValueLayout.JAVA_LONG, base + ORIG_DST_LO);
            final long rsh = segment.get(ValueLayout.JAVA_LONG, base + coldOffset(index, COLD_REPLY_SRC_HI));
            final long rsl = segment.get(ValueLayout.JAVA_LONG, base + REPLY_SRC_LO);
            final long rdh = segment.get(ValueLayout.JAVA_LONG, base + coldOffset(index, COLD_REPLY_DST_HI));
            final long rdl = segment.get(ValueLayout.JAVA_LONG, base + REPLY_DST_LO);
            final int lastSeen = (int) INT.getOpaque(segment, base + LAST_SEEN_S);
            final long op = Integer.toUnsignedLong((int) INT.getOpaque(segment, base + ORIG_PACKETS));
            final long rp = Integer.toUnsignedLong((int) INT.getOpaque(segment, base + REPLY_PACKETS));
            final long ob = (long) LONG.getOpaque(segment, base + coldOffset(index, COLD_ORIG_BYTES));
            final long rb = (long) LONG.getOpaque(segment, base + coldOffset(index, COLD_REPLY_BYTES));
            VarHandle.loadLoadFence();
            final long recheck = segment.get(ValueLayout.JAVA_LONG, base + CONTROL);
            if ((int) recheck != (int) control) {
                continue;
            }
            final int liveStatus = controlStatus(recheck);
            if ((statusFlags(liveStatus) & (io.isthmus.conntrack.ConntrackFlags.DYING
                | io.isthmus.conntrack.ConntrackFlags.CONFIRMED)) != io.isthmus.conntrack.ConntrackFlags.CONFIRMED) {
                return null;
            }
            final int state = statusState(liveStatus);
            final int left = (int) Math.max(0, (long) lastSeen + timeoutS(state) - nowS);
            return new ConntrackRecord(index, statusZone(liveStatus), statusProto(liveStatus), state,
                statusFlags(liveStatus), statusVerdict(liveStatus), decisionServiceId(decision), decisionOutPort(decision),
                osh, osl, odh, odl, sourcePort(origPorts), destinationPort(origPorts),
                rsh, rsl, rdh, rdl, sourcePort(replyPorts), destinationPort(replyPorts),
                lastSeen, left, op, ob, rp, rb);
        }
        return null;
    }

    /** What a flush request came to. */
    public record FlushOutcome(long generation, long removed, boolean acknowledged) {
    }

    /**
     * Asks the owner to flush the connections {@code filter} matches and waits (up to
     * {@code timeoutMs}) for its acknowledgement. Holds the header's mailbox lock (its pid, CAS
     * from 0; taken over from a requester that is no longer running) while it writes the filter,
     * increments the request counter and waits. Not acknowledged in time: the request stays in
     * the mailbox and the owner may still carry it out.
     */
    public FlushOutcome flush(ConntrackFlushFilter filter, long timeoutMs) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        final long self = ProcessHandle.current().pid();
        try (Arena headerArena = Arena.ofConfined();
             FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final MemorySegment header = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES, headerArena);
            while (!lockMailbox(header, self)) {
                if (System.nanoTime() > deadline) {
                    return new FlushOutcome(0, 0, false);
                }
                Thread.sleep(10);
            }
            try {
                filter.write(header);
                final long generation = (long) LONG.getAndAdd(header, (long) FLUSH_REQUESTED_OFFSET, 1L) + 1;
                while ((long) LONG.getAcquire(header, (long) FLUSH_COMPLETED_OFFSET) < generation) {
                    if (System.nanoTime() > deadline) {
                        return new FlushOutcome(generation, 0, false);
                    }
                    Thread.sleep(5);
                }
                return new FlushOutcome(generation, (long) LONG.getAcquire(header, (long) FLUSH_REMOVED_OFFSET), true);
            } finally {
                LONG.compareAndSet(header, (long) FLUSH_LOCK_PID_OFFSET, self, 0L);
            }
        }
    }

    private static boolean lockMailbox(MemorySegment header, long self) {
        final long holder = (long) LONG.getAcquire(header, (long) FLUSH_LOCK_PID_OFFSET);
        if (holder == 0) {
            return LONG.compareAndSet(header, (long) FLUSH_LOCK_PID_OFFSET, 0L, self);
        }
        if (holder != self && ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        return LONG.compareAndSet(header, (long) FLUSH_LOCK_PID_OFFSET, holder, self);
    }

    public long flushCompleted() {
        return (long) LONG.getAcquire(segment, (long) FLUSH_COMPLETED_OFFSET);
    }

    @Override
    public void close() {
        arena.close();
    }
}
