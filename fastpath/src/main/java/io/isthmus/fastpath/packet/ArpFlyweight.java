package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

import static io.isthmus.fastpath.packet.ArpDescriptor.*;

/**
 * An ARP packet (IPv4 over Ethernet) read and written in place; layout: {@link ArpDescriptor}.
 * {@link #wrap} takes the offset of the ARP header (after Ethernet), not of the frame.
 *
 * <p><b>Thread-safety:</b> a flyweight belongs to one thread.
 */
public final class ArpFlyweight {
    private MemorySegment segment;
    private long offset;
    private int length;

    public ArpFlyweight wrap(MemorySegment segment, long offset, int lengthBytes) {
        this.segment = segment;
        this.offset = offset;
        this.length = lengthBytes;
        return this;
    }

    /** True when the packet is complete and is ARP for IPv4 over Ethernet (the only kind we speak). */
    public boolean isEthernetIpv4() {
        return length >= LENGTH
                && NetworkOrder.u16(segment, offset + HARDWARE_TYPE_OFFSET) == HARDWARE_TYPE_ETHERNET
                && NetworkOrder.u16(segment, offset + PROTOCOL_TYPE_OFFSET) == EthernetDescriptor.ETHER_TYPE_IPV4
                && NetworkOrder.u8(segment, offset + HARDWARE_LENGTH_OFFSET) == 6
                && NetworkOrder.u8(segment, offset + PROTOCOL_LENGTH_OFFSET) == 4;
    }

    /** Writes the fixed part (Ethernet, IPv4, lengths 6 and 4) and {@code operation}. */
    public ArpFlyweight writeEthernetIpv4Header(int operation) {
        NetworkOrder.putU16(segment, offset + HARDWARE_TYPE_OFFSET, HARDWARE_TYPE_ETHERNET);
        NetworkOrder.putU16(segment, offset + PROTOCOL_TYPE_OFFSET, EthernetDescriptor.ETHER_TYPE_IPV4);
        NetworkOrder.putU8(segment, offset + HARDWARE_LENGTH_OFFSET, 6);
        NetworkOrder.putU8(segment, offset + PROTOCOL_LENGTH_OFFSET, 4);
        return operation(operation);
    }

    public int operation() {
        return NetworkOrder.u16(segment, offset + OPERATION_OFFSET);
    }

    public ArpFlyweight operation(int operation) {
        NetworkOrder.putU16(segment, offset + OPERATION_OFFSET, operation);
        return this;
    }

    public long senderMac() {
        return NetworkOrder.mac(segment, offset + SENDER_MAC_OFFSET);
    }

    public ArpFlyweight senderMac(long mac) {
        NetworkOrder.putMac(segment, offset + SENDER_MAC_OFFSET, mac);
        return this;
    }

    public int senderIp() {
        return NetworkOrder.u32(segment, offset + SENDER_IP_OFFSET);
    }

    public ArpFlyweight senderIp(int ip) {
        NetworkOrder.putU32(segment, offset + SENDER_IP_OFFSET, ip);
        return this;
    }

    public long targetMac() {
        return NetworkOrder.mac(segment, offset + TARGET_MAC_OFFSET);
    }

    public ArpFlyweight targetMac(long mac) {
        NetworkOrder.putMac(segment, offset + TARGET_MAC_OFFSET, mac);
        return this;
    }

    public int targetIp() {
        return NetworkOrder.u32(segment, offset + TARGET_IP_OFFSET);
    }

    public ArpFlyweight targetIp(int ip) {
        NetworkOrder.putU32(segment, offset + TARGET_IP_OFFSET, ip);
        return this;
    }
}
