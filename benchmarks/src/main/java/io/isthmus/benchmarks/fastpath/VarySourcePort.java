package io.isthmus.benchmarks.fastpath;

import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.Stage;

import java.lang.foreign.MemorySegment;

/**
 * A stage the benchmarks put before the pipeline: packet n of the batch stream gets UDP source port
 * {@link #FIRST_SOURCE_PORT} + n mod flows (what {@code isthmus pktgen --flows N} varies), its
 * checksum adjusted (RFC 1624; a result of 0 is sent as 0xFFFF, as UDP requires). The frames are
 * untagged Ethernet + IPv4 without options + UDP.
 *
 * <p><b>Thread-safety:</b> one benchmark thread owns it (the flow counter is plain state).
 */
public final class VarySourcePort implements Stage {
    /** The first source port; flow n uses this + n. */
    public static final int FIRST_SOURCE_PORT = 40000;
    /** Byte offsets in the frame: Ethernet 14 + IPv4 20, then the UDP header. */
    public static final int SOURCE_PORT_OFFSET = 34;
    public static final int UDP_CHECKSUM_OFFSET = 40;

    private final int flows;
    private int next;

    public VarySourcePort(int flows) {
        this.flows = flows;
    }

    @Override
    public int process(PacketBatch batch) {
        final MemorySegment segment = batch.segment();
        for (int i = 0; i < batch.size(); i++) {
            final long frame = batch.address[i];
            final int port = FIRST_SOURCE_PORT + next;
            next = next + 1 == flows ? 0 : next + 1;
            rewrite(segment, frame + SOURCE_PORT_OFFSET, frame + UDP_CHECKSUM_OFFSET, port);
        }
        return batch.size();
    }

    /** Writes {@code value} into the 16-bit UDP field at {@code fieldOffset}, the checksum at {@code checksumOffset} adjusted. */
    public static void rewrite(MemorySegment segment, long fieldOffset, long checksumOffset, int value) {
        final int old = NetworkOrder.u16(segment, fieldOffset);
        NetworkOrder.putU16(segment, fieldOffset, value);
        final int checksum = InternetChecksum.update16(NetworkOrder.u16(segment, checksumOffset), old, value);
        NetworkOrder.putU16(segment, checksumOffset, checksum == 0 ? 0xFFFF : checksum);
    }
}
