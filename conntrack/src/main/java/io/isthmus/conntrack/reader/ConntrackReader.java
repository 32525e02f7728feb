package io.isthmus.conntrack.reader;

import static io.isthmus.conntrack.ConntrackDescriptor.*;

import io.isthmus.conntrack.ConntrackCounter;
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
 * <p>The only write is the flush request ({@link #requestFlush}), through a separate read-write
 * mapping of the header's mailbox: the owner's sweeper carries it out and acknowledges it.
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

    /** Null if an owner looks alive (pid alive, recent heartbeat), else why not. */
    public String ownerProblem(long nowUnixMs) {
        final long pid = ownerPid();
        if (pid == 0) {
            return "no owner is running (the table was closed)";
        }
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return "no owner is running (owner pid " + pid + " is gone)";
        }
        final long ageMs = nowUnixMs - ownerHeartbeatMs();
        if (ageMs > OWNER_STALE_MS) {
            return "the owner (pid " + pid + ") has not swept for " + ageMs / 1000 + " s";
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
            final long control = (long) LONG.getAcquire(segment, entriesOffset + (long) ENTRY_BYTES * i);
            final int status = controlStatus(control);
            if (!seqOdd(control) && (statusFlags(status) & (io.isthmus.conntrack.ConntrackFlags.DYING
                | io.isthmus.conntrack.ConntrackFlags.CONFIRMED)) == io.isthmus.conntrack.ConntrackFlags.CONFIRMED) {
                live++;
            }
        }
        return live;
    }

    private ConntrackRecord copy(int index, int nowS) {
        final long base = entriesOffset + (long) ENTRY_BYTES * index;
        for (int attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
            final long control = (long) LONG.getAcquire(segment, base + CONTROL);
            final int status = controlStatus(control);
            if (seqOdd(control) || status == 0) {
                return null;
            }
            final int decision = segment.get(ValueLayout.JAVA_INT, base + DECISION);
            final int origPorts = segment.get(ValueLayout.JAVA_INT, base + ORIG_PORTS);
            final int replyPorts = segment.get(ValueLayout.JAVA_INT, base + REPLY_PORTS);
            final long osh = segment.get(ValueLayout.JAVA_LONG, base + ORIG_SRC_HI);
            final long osl = segment.get(ValueLayout.JAVA_LONG, base + ORIG_SRC_LO);
            final long odh = segment.get(ValueLayout.JAVA_LONG, base + ORIG_DST_HI);
            final long odl = segment.get(ValueLayout.JAVA_LONG, base + ORIG_DST_LO);
            final long rsh = segment.get(ValueLayout.JAVA_LONG, base + REPLY_SRC_HI);
            final long rsl = segment.get(ValueLayout.JAVA_LONG, base + REPLY_SRC_LO);
            final long rdh = segment.get(ValueLayout.JAVA_LONG, base + REPLY_DST_HI);
            final long rdl = segment.get(ValueLayout.JAVA_LONG, base + REPLY_DST_LO);
            final int lastSeen = (int) INT.getOpaque(segment, base + LAST_SEEN_S);
            final long op = Integer.toUnsignedLong((int) INT.getOpaque(segment, base + ORIG_PACKETS));
            final long rp = Integer.toUnsignedLong((int) INT.getOpaque(segment, base + REPLY_PACKETS));
            final long ob = (long) LONG.getOpaque(segment, base + ORIG_BYTES);
            final long rb = (long) LONG.getOpaque(segment, base + REPLY_BYTES);
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
            return new ConntrackRecord(index, seqZoneZone((int) control), statusProto(liveStatus), state,
                statusFlags(liveStatus), statusVerdict(liveStatus), decisionServiceId(decision), decisionOutPort(decision),
                osh, osl, odh, odl, sourcePort(origPorts), destinationPort(origPorts),
                rsh, rsl, rdh, rdl, sourcePort(replyPorts), destinationPort(replyPorts),
                lastSeen, left, op, ob, rp, rb);
        }
        return null;
    }

    /**
     * Asks the owner to flush: increments the flush-request counter in the header (the only
     * write a reader makes, through its own small read-write mapping of the header). Returns the
     * generation to wait for with {@link #flushCompleted()}.
     */
    public long requestFlush() throws IOException {
        try (Arena headerArena = Arena.ofConfined();
             FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final MemorySegment header = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES, headerArena);
            return (long) LONG.getAndAdd(header, (long) FLUSH_REQUESTED_OFFSET, 1L) + 1;
        }
    }

    public long flushCompleted() {
        return (long) LONG.getAcquire(segment, (long) FLUSH_COMPLETED_OFFSET);
    }

    @Override
    public void close() {
        arena.close();
    }
}
