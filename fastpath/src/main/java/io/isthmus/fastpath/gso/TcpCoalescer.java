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
 * Receive-side coalescing (GRO in userspace) for IPv4 TCP: consecutive MTU segments of one flow,
 * received one per frame within one receive call, become one super-packet, a chain of their frames
 * in the {@link FramePool}, that the transmit side sends whole with a virtio_net_hdr. A pod whose
 * veth has a native XDP program loses TSO (the veth turns it off) and segments in software before
 * its veth; this gives the receiving pod super-packets back all the same.
 *
 * <pre>
 *   batch[i] = segment 0 (head: eth | ip | tcp | payload0)       chain in the pool:
 *   segment k merges when: same IPv4 header but for total       head frame, whole
 *   length / id / checksum; same TCP header but for the         frame k from its payload on
 *   sequence (= previous + previous payload), PSH and the       (address + header bytes)
 *   checksum; ACK or ACK|PSH only; payload &lt;= segment 0's;
 *   partial checksum; total &lt;= 65,535; &lt;= MAX_SEGMENTS frames
 *   close: head ip total length, ip checksum, PSH if any had it, tcp checksum = ~pseudo-header sum
 *          (the complemented partial form stages keep: {@link PartialTcpChecksum}); length[i] = total
 * </pre>
 * A segment with PSH, or shorter than the first, is merged and ends the super-packet (as the
 * kernel's GRO flushes). A lone segment (nothing merged into it) keeps its checksum partial until
 * {@link #close}, which completes it ({@link PartialChecksums}) as an unmerged frame would have been.
 *
 * <p><b>Thread-safety:</b> one per port, used by the port's worker within one receive call (the
 * open super-packet is closed before the call returns). No allocation, no exception.
 */
public final class TcpCoalescer {
    /** Frames one super-packet takes at most. */
    public static final int MAX_SEGMENTS = 64;
    private static final int L3 = EthernetDescriptor.HEADER_LENGTH;
    private static final int IP_HEADER_BYTES = Ipv4Descriptor.MIN_HEADER_LENGTH;
    private static final int MAX_IP_TOTAL_LENGTH = 65_535;

    private final MemorySegment memory;
    private final FramePool pool;
    private final long[] linkAddress = new long[MAX_SEGMENTS];
    private final int[] linkLength = new int[MAX_SEGMENTS];
    private int openIndex = -1;
    private int links;
    private int tcpHeaderBytes;
    private int firstPayloadBytes;
    private int payloadBytes;
    private int nextSequence;
    private boolean push;
    private long merged;

    public TcpCoalescer(MemorySegment memory, FramePool pool) {
        this.memory = memory;
        this.pool = pool;
    }

    /**
     * Offers the single-frame packet at {@code frame} ({@code lengthBytes}, already the worker's):
     * true when it was merged into the open super-packet (its frame is now a link of that chain: the
     * caller must not add it to the batch). On false the open super-packet, if any, is closed.
     */
    public boolean offer(PacketBatch batch, long frame, int lengthBytes) {
        if (openIndex < 0) {
            return false;
        }
        if (!mergeable(frame, lengthBytes)) {
            close(batch);
            return false;
        }
        final long tcp = frame + L3 + IP_HEADER_BYTES;
        final int segmentPayload = NetworkOrder.u16(memory, frame + L3 + Ipv4Descriptor.TOTAL_LENGTH_OFFSET) - IP_HEADER_BYTES - tcpHeaderBytes;
        final int headerBytes = L3 + IP_HEADER_BYTES + tcpHeaderBytes;
        linkAddress[links] = frame + headerBytes;
        linkLength[links] = segmentPayload;
        links++;
        payloadBytes += segmentPayload;
        nextSequence += segmentPayload;
        merged++;
        final boolean segmentPush = (NetworkOrder.u8(memory, tcp + TcpDescriptor.FLAGS_OFFSET) & TcpDescriptor.FLAG_PSH) != 0;
        push |= segmentPush;
        if (segmentPush || segmentPayload < firstPayloadBytes || links == MAX_SEGMENTS
                || IP_HEADER_BYTES + tcpHeaderBytes + payloadBytes + firstPayloadBytes > MAX_IP_TOTAL_LENGTH) {
            close(batch);
        }
        return true;
    }

    /**
     * After the caller added the single-frame packet at {@code frame} as batch entry {@code index}
     * (its checksum NOT yet completed): opens a super-packet on it when it can head one (IPv4 without
     * options, TCP ACK or ACK|PSH without PSH, payload, partial checksum); else completes its
     * checksum if partial. Returns true when it completed one.
     */
    public boolean added(PacketBatch batch, int index, long frame, int lengthBytes) {
        if (!canHead(frame, lengthBytes)) {
            return PartialChecksums.completeIfPartial(memory, frame, lengthBytes);
        }
        final long ip = frame + L3;
        final long tcp = ip + IP_HEADER_BYTES;
        tcpHeaderBytes = (NetworkOrder.u8(memory, tcp + TcpDescriptor.DATA_OFFSET_OFFSET) >>> 4) * 4;
        firstPayloadBytes = NetworkOrder.u16(memory, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET) - IP_HEADER_BYTES - tcpHeaderBytes;
        payloadBytes = firstPayloadBytes;
        nextSequence = NetworkOrder.u32(memory, tcp + TcpDescriptor.SEQUENCE_OFFSET) + firstPayloadBytes;
        push = false;
        linkAddress[0] = frame;
        linkLength[0] = L3 + IP_HEADER_BYTES + tcpHeaderBytes + firstPayloadBytes;
        links = 1;
        openIndex = index;
        return false;
    }

    /** Closes the open super-packet (end of a receive call, or a packet that does not merge). */
    public void close(PacketBatch batch) {
        if (openIndex < 0) {
            return;
        }
        final int index = openIndex;
        openIndex = -1;
        final long head = linkAddress[0];
        if (links == 1) {
            PartialChecksums.completeIfPartial(memory, head, batch.length[index]);
            return;
        }
        final long ip = head + L3;
        final long tcp = ip + IP_HEADER_BYTES;
        final int l4Bytes = tcpHeaderBytes + payloadBytes;
        NetworkOrder.putU16(memory, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET, IP_HEADER_BYTES + l4Bytes);
        NetworkOrder.putU16(memory, ip + Ipv4Descriptor.CHECKSUM_OFFSET, 0);
        NetworkOrder.putU16(memory, ip + Ipv4Descriptor.CHECKSUM_OFFSET, InternetChecksum.compute(memory, ip, IP_HEADER_BYTES));
        if (push) {
            NetworkOrder.putU8(memory, tcp + TcpDescriptor.FLAGS_OFFSET,
                    NetworkOrder.u8(memory, tcp + TcpDescriptor.FLAGS_OFFSET) | TcpDescriptor.FLAG_PSH);
        }
        final long pseudo = InternetChecksum.pseudoHeaderSumIpv4(NetworkOrder.u32(memory, ip + Ipv4Descriptor.SRC_OFFSET),
                NetworkOrder.u32(memory, ip + Ipv4Descriptor.DST_OFFSET), Ipv4Descriptor.PROTOCOL_TCP, l4Bytes);
        NetworkOrder.putU16(memory, tcp + TcpDescriptor.CHECKSUM_OFFSET, ~InternetChecksum.fold(pseudo) & 0xFFFF);
        pool.chain(linkAddress, linkLength, links);
        batch.length[index] = L3 + IP_HEADER_BYTES + l4Bytes;
    }

    /** Segments merged into an earlier one since the last call (then reset); the worker publishes it. */
    public long takeMerged() {
        final long count = merged;
        merged = 0;
        return count;
    }

    private boolean canHead(long frame, int lengthBytes) {
        if (lengthBytes < L3 + IP_HEADER_BYTES + TcpDescriptor.MIN_HEADER_LENGTH
                || NetworkOrder.u16(memory, frame + EthernetDescriptor.ETHER_TYPE_OFFSET) != EthernetDescriptor.ETHER_TYPE_IPV4) {
            return false;
        }
        final long ip = frame + L3;
        if (NetworkOrder.u8(memory, ip) != 0x45 || NetworkOrder.u8(memory, ip + Ipv4Descriptor.PROTOCOL_OFFSET) != Ipv4Descriptor.PROTOCOL_TCP
                || (NetworkOrder.u16(memory, ip + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET)
                    & (Ipv4Descriptor.FLAG_MORE_FRAGMENTS | Ipv4Descriptor.FRAGMENT_OFFSET_MASK)) != 0) {
            return false;
        }
        final int totalLength = NetworkOrder.u16(memory, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET);
        final long tcp = ip + IP_HEADER_BYTES;
        final int thBytes = (NetworkOrder.u8(memory, tcp + TcpDescriptor.DATA_OFFSET_OFFSET) >>> 4) * 4;
        final int flags = NetworkOrder.u8(memory, tcp + TcpDescriptor.FLAGS_OFFSET);
        return thBytes >= TcpDescriptor.MIN_HEADER_LENGTH && L3 + totalLength <= lengthBytes
                && totalLength > IP_HEADER_BYTES + thBytes && flags == TcpDescriptor.FLAG_ACK
                && PartialTcpChecksum.isPartial(memory, frame, IP_HEADER_BYTES);
    }

    /** Whether the frame continues the open super-packet (see the class comment). */
    private boolean mergeable(long frame, int lengthBytes) {
        final long head = linkAddress[0];
        final int headerBytes = L3 + IP_HEADER_BYTES + tcpHeaderBytes;
        if (lengthBytes <= headerBytes
                || NetworkOrder.u16(memory, frame + EthernetDescriptor.ETHER_TYPE_OFFSET) != EthernetDescriptor.ETHER_TYPE_IPV4) {
            return false;
        }
        final long ip = frame + L3;
        final long headIp = head + L3;
        final int totalLength = NetworkOrder.u16(memory, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET);
        final int segmentPayload = totalLength - IP_HEADER_BYTES - tcpHeaderBytes;
        if (segmentPayload <= 0 || segmentPayload > firstPayloadBytes || L3 + totalLength > lengthBytes
                || NetworkOrder.u16(memory, ip) != NetworkOrder.u16(memory, headIp) // version, IHL (5), TOS
                || NetworkOrder.u16(memory, ip + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET) != NetworkOrder.u16(memory, headIp + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET)
                || NetworkOrder.u16(memory, ip + Ipv4Descriptor.TTL_OFFSET) != NetworkOrder.u16(memory, headIp + Ipv4Descriptor.TTL_OFFSET)
                || NetworkOrder.u32(memory, ip + Ipv4Descriptor.SRC_OFFSET) != NetworkOrder.u32(memory, headIp + Ipv4Descriptor.SRC_OFFSET)
                || NetworkOrder.u32(memory, ip + Ipv4Descriptor.DST_OFFSET) != NetworkOrder.u32(memory, headIp + Ipv4Descriptor.DST_OFFSET)) {
            return false;
        }
        final long tcp = ip + IP_HEADER_BYTES;
        final long headTcp = headIp + IP_HEADER_BYTES;
        if (NetworkOrder.u32(memory, tcp) != NetworkOrder.u32(memory, headTcp) // ports
                || NetworkOrder.u32(memory, tcp + TcpDescriptor.SEQUENCE_OFFSET) != nextSequence
                || NetworkOrder.u32(memory, tcp + TcpDescriptor.ACKNOWLEDGMENT_OFFSET) != NetworkOrder.u32(memory, headTcp + TcpDescriptor.ACKNOWLEDGMENT_OFFSET)
                || (NetworkOrder.u32(memory, tcp + TcpDescriptor.DATA_OFFSET_OFFSET) & ~(TcpDescriptor.FLAG_PSH << 16))
                    != NetworkOrder.u32(memory, headTcp + TcpDescriptor.DATA_OFFSET_OFFSET)) { // data offset, flags but PSH, window
            return false;
        }
        for (int option = TcpDescriptor.MIN_HEADER_LENGTH; option < tcpHeaderBytes; option += 4) {
            if (NetworkOrder.u32(memory, tcp + option) != NetworkOrder.u32(memory, headTcp + option)) {
                return false;
            }
        }
        final long pseudo = InternetChecksum.pseudoHeaderSumIpv4(NetworkOrder.u32(memory, ip + Ipv4Descriptor.SRC_OFFSET),
                NetworkOrder.u32(memory, ip + Ipv4Descriptor.DST_OFFSET), Ipv4Descriptor.PROTOCOL_TCP, totalLength - IP_HEADER_BYTES);
        return NetworkOrder.u16(memory, tcp + TcpDescriptor.CHECKSUM_OFFSET) == InternetChecksum.fold(pseudo);
    }
}
