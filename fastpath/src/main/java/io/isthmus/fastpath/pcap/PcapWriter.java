package io.isthmus.fastpath.pcap;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.isthmus.fastpath.pcap.PcapDescriptor.*;

/**
 * Writes frames to a libpcap file (layout: {@link PcapDescriptor}), link type Ethernet, that
 * tcpdump, tshark and Wireshark read. The file header is written on creation; records are buffered
 * and reach the channel on {@link #flush()} (or when the buffer fills), so a reader tailing the file
 * sees whole records only after a flush.
 *
 * <p><b>Thread-safety:</b> one thread. Writing a record allocates nothing.
 */
public final class PcapWriter implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;

    private final WritableByteChannel channel;
    private final String targetName;
    private final boolean nanoseconds;
    private final int snaplen;
    private final ByteBuffer buffer;
    private final MemorySegment bufferSegment;

    /**
     * @param nanoseconds nanosecond timestamps (magic 0xA1B23C4D) instead of microseconds
     * @param order       the byte order of the file (readers handle both; native little-endian is usual)
     */
    public PcapWriter(WritableByteChannel channel, String targetName, boolean nanoseconds, ByteOrder order) throws IOException {
        this.channel = channel;
        this.targetName = targetName;
        this.nanoseconds = nanoseconds;
        this.snaplen = MAX_SNAPLEN;
        this.buffer = ByteBuffer.allocate(BUFFER_BYTES).order(order);
        this.bufferSegment = MemorySegment.ofArray(buffer.array());
        buffer.putInt(nanoseconds ? MAGIC_NANOSECONDS : MAGIC_MICROSECONDS)
                .putShort((short) VERSION_MAJOR).putShort((short) VERSION_MINOR)
                .putInt(0).putInt(0).putInt(snaplen).putInt(LINKTYPE_ETHERNET);
        flush();
    }

    /** Creates (or truncates) {@code file}: microsecond timestamps, little-endian, like tcpdump -w on x86. */
    public static PcapWriter create(Path file) throws IOException {
        return create(file, false, ByteOrder.LITTLE_ENDIAN);
    }

    public static PcapWriter create(Path file, boolean nanoseconds, ByteOrder order) throws IOException {
        return new PcapWriter(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), file.toString(), nanoseconds, order);
    }

    /** Appends one frame of {@code lengthBytes} bytes at {@code offset} of {@code source}. */
    public void write(MemorySegment source, long offset, int lengthBytes, long timestampNs) throws IOException {
        if (lengthBytes > snaplen) {
            throw new PcapFormatException(targetName + ": frame of " + lengthBytes + " bytes exceeds the snaplen " + snaplen);
        }
        if (buffer.remaining() < RECORD_HEADER_LENGTH + lengthBytes) {
            flush();
        }
        final long seconds = Math.floorDiv(timestampNs, 1_000_000_000L);
        final long fractionNs = Math.floorMod(timestampNs, 1_000_000_000L);
        buffer.putInt((int) seconds).putInt((int) (nanoseconds ? fractionNs : fractionNs / 1_000L))
                .putInt(lengthBytes).putInt(lengthBytes);
        MemorySegment.copy(source, offset, bufferSegment, buffer.position(), lengthBytes);
        buffer.position(buffer.position() + lengthBytes);
    }

    public void write(byte[] frame, long timestampNs) throws IOException {
        write(MemorySegment.ofArray(frame), 0, frame.length, timestampNs);
    }

    /** Hands the buffered records to the channel. */
    public void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    public String targetName() {
        return targetName;
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
