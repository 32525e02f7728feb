package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

import static io.isthmus.fastpath.packet.EthernetDescriptor.*;

/**
 * An Ethernet II frame read and written in place (layout: {@link EthernetDescriptor}). Aware of one
 * 802.1Q tag: {@link #etherType()} and {@link #payloadOffset()} look through it.
 *
 * <p>{@link #wrap} does not check the length; callers check {@link #isComplete()} before reading.
 *
 * <p><b>Thread-safety:</b> a flyweight belongs to one thread (one per stage instance).
 */
public final class EthernetFlyweight {
    private MemorySegment segment;
    private long offset;
    private int length;

    public EthernetFlyweight wrap(MemorySegment segment, long offset, int lengthBytes) {
        this.segment = segment;
        this.offset = offset;
        this.length = lengthBytes;
        return this;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** True when the frame holds the whole header, including the 802.1Q tag if one is announced. */
    public boolean isComplete() {
        if (length < HEADER_LENGTH) {
            return false;
        }
        return !hasVlanTag() || length >= VLAN_HEADER_LENGTH;
    }

    public long dstMac() {
        return NetworkOrder.mac(segment, offset + DST_MAC_OFFSET);
    }

    public EthernetFlyweight dstMac(long mac) {
        NetworkOrder.putMac(segment, offset + DST_MAC_OFFSET, mac);
        return this;
    }

    public long srcMac() {
        return NetworkOrder.mac(segment, offset + SRC_MAC_OFFSET);
    }

    public EthernetFlyweight srcMac(long mac) {
        NetworkOrder.putMac(segment, offset + SRC_MAC_OFFSET, mac);
        return this;
    }

    /** The EtherType (or TPID) field right after the MACs. */
    public int outerEtherType() {
        return NetworkOrder.u16(segment, offset + ETHER_TYPE_OFFSET);
    }

    public EthernetFlyweight outerEtherType(int etherType) {
        NetworkOrder.putU16(segment, offset + ETHER_TYPE_OFFSET, etherType);
        return this;
    }

    public boolean hasVlanTag() {
        return outerEtherType() == ETHER_TYPE_VLAN;
    }

    /** The 12-bit VLAN id of the 802.1Q tag; only meaningful when {@link #hasVlanTag()}. */
    public int vlanId() {
        return NetworkOrder.u16(segment, offset + VLAN_TCI_OFFSET) & 0x0FFF;
    }

    /** The EtherType of the payload, looking through one 802.1Q tag. */
    public int etherType() {
        final int outer = outerEtherType();
        return outer == ETHER_TYPE_VLAN ? NetworkOrder.u16(segment, offset + VLAN_INNER_ETHER_TYPE_OFFSET) : outer;
    }

    /** Offset of the payload (the L3 header) from the start of the frame. */
    public int payloadOffset() {
        return hasVlanTag() ? VLAN_HEADER_LENGTH : HEADER_LENGTH;
    }
}
