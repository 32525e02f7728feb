package io.isthmus.fastpath.pcap;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.isthmus.fastpath.pcap.PcapDescriptor.*;

/**
 * Reads frames from a libpcap file (layout: {@link PcapDescriptor}) in either byte order, with
 * microsecond or nanosecond timestamps, link type Ethernet only.
 *
 * <p>Two ways to read: {@link #open} a complete file, whose end is final: once a read found the
 * end of the file, {@link #next} returns -1 without another {@code read(2)} ({@link #isFinished()}),
 * so a port polling a drained capture costs no system call per cycle; or {@link #follow} a file that
 * is still being written (like {@code tail -f}): {@link #next} returns -1 when no complete record is
 * there yet and reads again on the next call, picking up where it stopped. {@link #isAtEnd()}
 * tells whether the last read hit the end of what was there.
 *
 * <p><b>Thread-safety:</b> one thread. Buffers are allocated once; reading a record allocates nothing.
 */
public final class PcapReader implements AutoCloseable {
    private final ReadableByteChannel channel;
    private final String sourceName;
    private final boolean follow;
    /** A complete file's end was reached: nothing more will come (never set when following). */
    private boolean finished;
    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_SNAPLEN + RECORD_HEADER_LENGTH);
    private final MemorySegment bufferSegment = MemorySegment.ofArray(buffer.array());
    private boolean headerRead;
    private boolean nanoseconds;
    private int snaplen;
    private boolean atEnd;
    private long lastTimestampNs;
    private int lastOriginalLength;

    /** Reads a complete capture from {@code channel}: its end of stream is final. */
    public PcapReader(ReadableByteChannel channel, String sourceName) {
        this(channel, sourceName, false);
    }

    /** @param follow true to keep reading after the end of stream, for a file still being written */
    public PcapReader(ReadableByteChannel channel, String sourceName, boolean follow) {
        this.channel = channel;
        this.sourceName = sourceName;
        this.follow = follow;
        buffer.limit(0);
    }

    /** Opens a complete capture file and reads its file header. */
    public static PcapReader open(Path file) throws IOException {
        return open(file, false);
    }

    /** Opens a file that may still be growing (even empty: its header is read when it comes), to follow it. */
    public static PcapReader follow(Path file) throws IOException {
        return open(file, true);
    }

    private static PcapReader open(Path file, boolean follow) throws IOException {
        final PcapReader reader = new PcapReader(FileChannel.open(file, StandardOpenOption.READ), file.toString(), follow);
        try {
            reader.readFileHeader();
        } catch (IOException e) {
            reader.close();
            throw e;
        }
        return reader;
    }

    /**
     * Copies the next frame to {@code destination} at {@code offset}, at most {@code capacityBytes}
     * of it. Returns the captured length (which may exceed {@code capacityBytes}: the caller decides
     * what a truncated frame means), or -1 when no complete record is available yet.
     *
     * @throws PcapFormatException when the file header or a record header is invalid
     */
    public int next(MemorySegment destination, long offset, int capacityBytes) throws IOException {
        if (!headerRead && !readFileHeader()) {
            return -1;
        }
        if (!ensure(RECORD_HEADER_LENGTH)) {
            return -1;
        }
        final int capturedLength = buffer.getInt(buffer.position() + CAPTURED_LENGTH_OFFSET);
        if (capturedLength < 0 || capturedLength > MAX_SNAPLEN) {
            throw new PcapFormatException(sourceName + ": record captured length " + Integer.toUnsignedString(capturedLength)
                    + " exceeds " + MAX_SNAPLEN + " (file snaplen " + snaplen + ")");
        }
        if (!ensure(RECORD_HEADER_LENGTH + capturedLength)) {
            return -1;
        }
        final int start = buffer.position(); // after ensure: it may have compacted the buffer
        final long seconds = buffer.getInt(start + TS_SECONDS_OFFSET) & 0xFFFF_FFFFL;
        final long fraction = buffer.getInt(start + TS_FRACTION_OFFSET) & 0xFFFF_FFFFL;
        lastTimestampNs = seconds * 1_000_000_000L + (nanoseconds ? fraction : fraction * 1_000L);
        lastOriginalLength = buffer.getInt(start + ORIGINAL_LENGTH_OFFSET);
        final int copied = Math.min(capturedLength, capacityBytes);
        MemorySegment.copy(bufferSegment, start + RECORD_HEADER_LENGTH, destination, offset, copied);
        buffer.position(start + RECORD_HEADER_LENGTH + capturedLength);
        return capturedLength;
    }

    /** Reads the next frame into a new array (tests, tools); null when none is complete yet. */
    public byte[] nextFrame() throws IOException {
        final byte[] frame = new byte[MAX_SNAPLEN];
        final int length = next(MemorySegment.ofArray(frame), 0, frame.length);
        return length < 0 ? null : java.util.Arrays.copyOf(frame, length);
    }

    /** Timestamp of the last record returned, in nanoseconds since the epoch. */
    public long lastTimestampNs() {
        return lastTimestampNs;
    }

    /** Original (on the wire) length of the last record returned. */
    public int lastOriginalLength() {
        return lastOriginalLength;
    }

    /** Valid once the file header was read ({@link #open} or the first {@link #next}). */
    public boolean isNanosecondResolution() {
        return nanoseconds;
    }

    public ByteOrder byteOrder() {
        return buffer.order();
    }

    /** True when the last read found no more bytes in the channel. */
    public boolean isAtEnd() {
        return atEnd;
    }

    /** True when a complete file was read to its end: {@link #next} will only return -1 (never when following). */
    public boolean isFinished() {
        return finished;
    }

    public String sourceName() {
        return sourceName;
    }

    private boolean readFileHeader() throws IOException {
        if (headerRead) {
            return true;
        }
        if (!ensure(FILE_HEADER_LENGTH)) {
            return false;
        }
        final int start = buffer.position();
        buffer.order(ByteOrder.BIG_ENDIAN);
        final int magic = buffer.getInt(start + MAGIC_OFFSET);
        switch (magic) {
            case MAGIC_MICROSECONDS -> nanoseconds = false;
            case MAGIC_NANOSECONDS -> nanoseconds = true;
            default -> {
                buffer.order(ByteOrder.LITTLE_ENDIAN);
                switch (buffer.getInt(start + MAGIC_OFFSET)) {
                    case MAGIC_MICROSECONDS -> nanoseconds = false;
                    case MAGIC_NANOSECONDS -> nanoseconds = true;
                    default -> throw new PcapFormatException(sourceName + ": not a pcap file (magic 0x"
                            + Integer.toHexString(magic) + "; pcapng is not supported)");
                }
            }
        }
        final int major = buffer.getShort(start + VERSION_MAJOR_OFFSET);
        if (major != VERSION_MAJOR) {
            throw new PcapFormatException(sourceName + ": pcap version " + major + " (want 2)");
        }
        final int linkType = buffer.getInt(start + LINKTYPE_OFFSET) & 0x0FFF_FFFF; // upper bits: FCS length flags
        if (linkType != LINKTYPE_ETHERNET) {
            throw new PcapFormatException(sourceName + ": link type " + linkType + " (want 1, Ethernet)");
        }
        snaplen = buffer.getInt(start + SNAPLEN_OFFSET);
        buffer.position(start + FILE_HEADER_LENGTH);
        headerRead = true;
        return true;
    }

    /** Makes {@code bytes} bytes available from the buffer position; false when the channel has no more yet. */
    private boolean ensure(int bytes) throws IOException {
        if (buffer.remaining() >= bytes) {
            return true;
        }
        if (finished) { // a complete file's end: no read(2) to find it again
            return false;
        }
        buffer.compact();
        try {
            while (buffer.position() < bytes) {
                final int read = channel.read(buffer);
                if (read <= 0) {
                    atEnd = true;
                    finished = read < 0 && !follow;
                    return false;
                }
            }
            atEnd = false;
            return true;
        } finally {
            buffer.flip();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
