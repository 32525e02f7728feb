package io.isthmus.fastpath.pcap;

import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PendingTransmits;
import io.isthmus.fastpath.port.PortCounters;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.function.LongSupplier;

/**
 * A port whose wire is a pair of pcap files: frames come in from a {@link PcapReader} (a complete
 * file, after whose end a cycle costs no system call, or one it follows while it is being written)
 * and go out to a {@link PcapWriter}. For golden tests, the
 * traffic suite and offline replays; not a production port (it does file I/O on the worker thread).
 *
 * <p>No exception leaves {@link #receive}, {@link #transmit} or {@link #flush}: an I/O or format
 * error stops that direction, is kept in {@link #failure()} and the port goes on otherwise. A record
 * longer than a frame buffer is skipped and counted in {@link #oversizedFrames()}.
 *
 * <p><b>Thread-safety:</b> driven by one worker thread; {@link #failure()} and the counters may be
 * read from others.
 */
public final class PcapPort implements Port {
    private final int id;
    private final String name;
    private final FramePool pool;
    private final MemorySegment memory;
    private final int frameSizeBytes;
    private final PcapReader in;
    private final PcapWriter out;
    private final LongSupplier clockNs;
    private final PortCounters counters = new PortCounters();
    private final PendingTransmits pending;
    private volatile IOException failure;
    private volatile long oversizedFrames;
    private boolean inFailed;
    private boolean outFailed;

    /**
     * @param in      where received frames come from, or null for a transmit-only port
     * @param out     where transmitted frames go, or null to discard them (counted)
     * @param clockNs timestamps for written records, nanoseconds since the epoch
     */
    public PcapPort(int id, String name, FramePool pool, PcapReader in, PcapWriter out, LongSupplier clockNs,
                    int txCapacityFrames) {
        this.id = id;
        this.name = name;
        this.pool = pool;
        this.memory = pool.memory().segment();
        this.frameSizeBytes = pool.memory().frameSizeBytes();
        this.in = in;
        this.out = out;
        this.clockNs = clockNs;
        this.pending = new PendingTransmits(txCapacityFrames, counters);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int receive(PacketBatch batch) {
        if (in == null || inFailed || in.isFinished()) {
            return 0; // a drained complete file: no frame taken, no system call
        }
        int received = 0;
        long bytes = 0;
        while (batch.free() > 0) {
            final long frame = pool.acquire();
            if (frame < 0) {
                counters.add(PortCounters.Counter.RX_FILL_EMPTY, 1);
                break;
            }
            final int length;
            try {
                length = in.next(memory, frame, frameSizeBytes);
            } catch (IOException e) {
                pool.release(frame);
                fail(e);
                inFailed = true;
                break;
            }
            if (length < 0) {
                pool.release(frame);
                break;
            }
            if (length > frameSizeBytes) {
                pool.release(frame);
                oversizedFrames++;
                continue;
            }
            batch.add(frame, length, id);
            received++;
            bytes += length;
        }
        counters.addReceived(received, bytes);
        return received;
    }

    @Override
    public boolean transmit(long address, int lengthBytes) {
        return pending.offer(address, lengthBytes);
    }

    @Override
    public int flush() {
        final int count = pending.count();
        if (count == 0) {
            return 0;
        }
        final long nowNs = clockNs.getAsLong();
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            if (out != null && !outFailed) {
                try {
                    out.write(memory, pending.address(i), pending.length(i), nowNs);
                } catch (IOException e) {
                    fail(e);
                    outFailed = true;
                }
            }
            bytes += pending.length(i);
            pool.release(pending.address(i));
        }
        pending.clear();
        if (out != null && !outFailed) {
            try {
                out.flush();
            } catch (IOException e) {
                fail(e);
                outFailed = true;
            }
        }
        counters.addTransmitted(count, bytes);
        return count;
    }

    /** True when the input reached the end of what its file holds so far (or there is no input). */
    public boolean isInputDrained() {
        return in == null || inFailed || in.isAtEnd();
    }

    /** The first I/O or format error, or null. */
    public IOException failure() {
        return failure;
    }

    public long oversizedFrames() {
        return oversizedFrames;
    }

    private void fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** After the worker stopped: returns queued frames to the pool, closes both files. */
    @Override
    public void close() {
        pending.releaseAll(pool);
        try {
            if (in != null) {
                in.close();
            }
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            fail(e);
        }
    }
}
