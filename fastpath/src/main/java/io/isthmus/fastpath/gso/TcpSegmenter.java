package io.isthmus.fastpath.gso;

import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.TcpDescriptor;
import io.isthmus.fastpath.pipeline.PacketBatch;

import java.lang.foreign.MemorySegment;

/**
 * Software GSO for TCP over IPv4: splits one TCP segment larger than the MTU (a pod's TSO/GSO
 * super-packet, received whole as a chain of frames by a multi-buffer AF_XDP socket) into
 * MTU-sized segments in fresh frames, as the pod's device would have on the wire, so every stage
 * after the port sees ordinary frames and the receiving pod gets packets its 1500-byte veth takes.
 *
 * <pre>
 *   super-packet (chain of frames)         segments k = 0 .. n-1, each in its own pool frame
 *   +-----+----+-----+--------------//--+   +-----+----+-----+------------+
 *   | eth | ip | tcp | payload (P)      |   | eth | ip | tcp | payload[k] |   payload[k] = mss bytes at k*mss
 *   +-----+----+-----+--------------//--+   +-----+----+-----+------------+   (the last one: the rest)
 *   headers in the first frame;              ip:  total length, id = id0 + k, header checksum
 *   payload across the frames                tcp: seq = seq0 + k*mss; CWR only on k = 0;
 *                                                 FIN, PSH only on k = n-1; full checksum
 *   mss = mtu - ip header - tcp header (options included, copied to every segment)
 * </pre>
 *
 * Use: {@link #plan} reads the headers of the first frame and says how many segments it will make
 * (the caller checks room in the batch and frames in the pool), then {@link #segment} writes them,
 * appends them to the batch and leaves the chain's frames to the caller.
 *
 * <p><b>Thread-safety:</b> one per worker (it keeps the planned packet's header fields between the
 * two calls); no allocation, no exception on the fast path.
 */
public final class TcpSegmenter {
    /** Returned by {@link #plan} for a chain that is not a segmentable IPv4 TCP packet. */
    public static final int NOT_SEGMENTABLE = -1;
    /** Where a segment starts in its frame: the same headroom as a frame the kernel received. */
    public static final int SEGMENT_HEADROOM_BYTES = 256;

    private static final int L3 = EthernetDescriptor.HEADER_LENGTH;

    private final MemorySegment memory;
    private final int mtuBytes;

    private int ipHeaderBytes;
    private int tcpHeaderBytes;
    private int payloadBytes;
    private int mssBytes;
    private int segments;
    private final long[] segmentAddress = new long[PacketBatch.CAPACITY];
    private final int[] segmentLength = new int[PacketBatch.CAPACITY];

    /** @param mtuBytes the largest IPv4 packet the receiving pods take (their veth MTU) */
    public TcpSegmenter(MemorySegment memory, int mtuBytes) {
        this.memory = memory;
        this.mtuBytes = mtuBytes;
    }

    public int mtuBytes() {
        return mtuBytes;
    }

    /** The IPv4 header length of the packet last {@link #plan planned}. */
    public int ipHeaderBytes() {
        return ipHeaderBytes;
    }

    /** The TCP header length (options included) of the packet last planned. */
    public int tcpHeaderBytes() {
        return tcpHeaderBytes;
    }

    /** The TCP payload bytes per segment for the packet last planned (the MSS of the MTU). */
    public int mssBytes() {
        return mssBytes;
    }

    /**
     * Reads the headers of a packet of {@code totalBytes} whose first {@code firstBytes} are at
     * {@code first}; returns how many segments {@link #segment} will make (1 or more), or
     * {@link #NOT_SEGMENTABLE} (not IPv4 TCP, a fragment, headers not in the first frame, lengths
     * that disagree, or an MTU too small for the headers).
     */
    public int plan(long first, int firstBytes, int totalBytes) {
        if (firstBytes < L3 + Ipv4Descriptor.MIN_HEADER_LENGTH
                || NetworkOrder.u16(memory, first + EthernetDescriptor.ETHER_TYPE_OFFSET) != EthernetDescriptor.ETHER_TYPE_IPV4) {
            return NOT_SEGMENTABLE;
        }
        final long ip = first + L3;
        final int versionIhl = NetworkOrder.u8(memory, ip);
        ipHeaderBytes = (versionIhl & 0x0F) * 4;
        if (versionIhl >>> 4 != Ipv4Descriptor.VERSION || ipHeaderBytes < Ipv4Descriptor.MIN_HEADER_LENGTH
                || NetworkOrder.u8(memory, ip + Ipv4Descriptor.PROTOCOL_OFFSET) != Ipv4Descriptor.PROTOCOL_TCP
                || (NetworkOrder.u16(memory, ip + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET)
                    & (Ipv4Descriptor.FLAG_MORE_FRAGMENTS | Ipv4Descriptor.FRAGMENT_OFFSET_MASK)) != 0
                || L3 + ipHeaderBytes + TcpDescriptor.MIN_HEADER_LENGTH > firstBytes) {
            return NOT_SEGMENTABLE;
        }
        tcpHeaderBytes = (NetworkOrder.u8(memory, ip + ipHeaderBytes + TcpDescriptor.DATA_OFFSET_OFFSET) >>> 4) * 4;
        final int totalLength = NetworkOrder.u16(memory, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET);
        payloadBytes = totalLength - ipHeaderBytes - tcpHeaderBytes;
        mssBytes = mtuBytes - ipHeaderBytes - tcpHeaderBytes;
        if (tcpHeaderBytes < TcpDescriptor.MIN_HEADER_LENGTH || L3 + ipHeaderBytes + tcpHeaderBytes > firstBytes
                || payloadBytes < 0 || L3 + totalLength > totalBytes || mssBytes <= 0) {
            return NOT_SEGMENTABLE;
        }
        segments = payloadBytes == 0 ? 1 : (payloadBytes + mssBytes - 1) / mssBytes;
        return segments;
    }

    /**
     * Writes the segments of the packet last {@link #plan planned}, whose frames are
     * {@code chainAddress[0..chainCount)} with lengths {@code chainLength}, into frames taken from
     * {@code pool}, and appends them to {@code batch} as received on {@code ingressPort}. The
     * caller has checked {@code batch.free()} and {@code pool.available()} against the plan; the
     * chain's frames stay the caller's. Returns the segments appended.
     */
    public int segment(long[] chainAddress, int[] chainLength, int chainCount, FramePool pool, PacketBatch batch,
                       int ingressPort) {
        final int made = segmentInto(chainAddress, chainLength, chainCount, pool, segmentAddress, segmentLength);
        for (int k = 0; k < made; k++) {
            batch.add(segmentAddress[k], segmentLength[k], ingressPort);
        }
        return made;
    }

    /**
     * As {@link #segment(long[], int[], int, FramePool, PacketBatch, int)}, writing the segments'
     * addresses and lengths into {@code outAddress}/{@code outLength} (room for the planned count;
     * the transmit side puts them on a TX ring) instead of a batch. Returns the segments made.
     */
    public int segmentInto(long[] chainAddress, int[] chainLength, int chainCount, FramePool pool, long[] outAddress,
                           int[] outLength) {
        final long first = chainAddress[0];
        final int headerBytes = L3 + ipHeaderBytes + tcpHeaderBytes;
        final long ipFirst = first + L3;
        final int id0 = NetworkOrder.u16(memory, ipFirst + Ipv4Descriptor.IDENTIFICATION_OFFSET);
        final long tcpFirst = ipFirst + ipHeaderBytes;
        final long seq0 = NetworkOrder.u32(memory, tcpFirst + TcpDescriptor.SEQUENCE_OFFSET) & 0xFFFF_FFFFL;
        final int flags = NetworkOrder.u8(memory, tcpFirst + TcpDescriptor.FLAGS_OFFSET);
        final long pseudoAddresses = (NetworkOrder.u32(memory, ipFirst + Ipv4Descriptor.SRC_OFFSET) & 0xFFFF_FFFFL)
                + (NetworkOrder.u32(memory, ipFirst + Ipv4Descriptor.DST_OFFSET) & 0xFFFF_FFFFL)
                + Ipv4Descriptor.PROTOCOL_TCP;

        int link = 0;             // the chain frame the payload cursor is in
        int inLink = headerBytes; // the cursor's offset in that frame
        int left = payloadBytes;
        for (int k = 0; k < segments; k++) {
            final int chunk = Math.min(left, mssBytes);
            final long out = pool.acquire() + SEGMENT_HEADROOM_BYTES;
            MemorySegment.copy(memory, first, memory, out, headerBytes);
            int copied = 0;
            while (copied < chunk) {
                if (inLink == chainLength[link]) {
                    link++;
                    inLink = 0;
                    continue;
                }
                final int piece = Math.min(chunk - copied, chainLength[link] - inLink);
                MemorySegment.copy(memory, chainAddress[link] + inLink, memory, out + headerBytes + copied, piece);
                copied += piece;
                inLink += piece;
            }
            final long ip = out + L3;
            NetworkOrder.putU16(memory, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET, ipHeaderBytes + tcpHeaderBytes + chunk);
            NetworkOrder.putU16(memory, ip + Ipv4Descriptor.IDENTIFICATION_OFFSET, (id0 + k) & 0xFFFF);
            NetworkOrder.putU16(memory, ip + Ipv4Descriptor.CHECKSUM_OFFSET, 0);
            NetworkOrder.putU16(memory, ip + Ipv4Descriptor.CHECKSUM_OFFSET, InternetChecksum.compute(memory, ip, ipHeaderBytes));
            final long tcp = ip + ipHeaderBytes;
            NetworkOrder.putU32(memory, tcp + TcpDescriptor.SEQUENCE_OFFSET, (int) (seq0 + (long) k * mssBytes));
            int segmentFlags = flags;
            if (k != 0) {
                segmentFlags &= ~TcpDescriptor.FLAG_CWR;
            }
            if (k != segments - 1) {
                segmentFlags &= ~(TcpDescriptor.FLAG_FIN | TcpDescriptor.FLAG_PSH);
            }
            NetworkOrder.putU8(memory, tcp + TcpDescriptor.FLAGS_OFFSET, segmentFlags);
            NetworkOrder.putU16(memory, tcp + TcpDescriptor.CHECKSUM_OFFSET, 0);
            final int l4Bytes = tcpHeaderBytes + chunk;
            NetworkOrder.putU16(memory, tcp + TcpDescriptor.CHECKSUM_OFFSET,
                    PartialChecksums.fullChecksum(pseudoAddresses + l4Bytes, memory, tcp, l4Bytes, Ipv4Descriptor.PROTOCOL_TCP));
            outAddress[k] = out;
            outLength[k] = headerBytes + chunk;
            left -= chunk;
        }
        return segments;
    }
}
