package io.isthmus.fastpath.linux;

/** AF_PACKET values ({@code <linux/if_packet.h>}, {@code <linux/if_ether.h>}); checked by a test against the headers. */
public final class PacketSocketConstants {
    private PacketSocketConstants() {
    }

    public static final int AF_PACKET = 17;
    /** Every EtherType; passed to socket() and sockaddr_ll in network byte order. */
    public static final int ETH_P_ALL = 0x0003;
    public static final int SOL_PACKET = 263;
    /** Do not deliver frames this host sends on the interface to the socket. */
    public static final int PACKET_IGNORE_OUTGOING = 23;
    /** Frames sent (and received) carry a {@code struct virtio_net_hdr} in front: checksum and GSO offload requests. */
    public static final int PACKET_VNET_HDR = 15;
    /** Sends go straight to the device's transmit function, past the qdisc layer. */
    public static final int PACKET_QDISC_BYPASS = 20;

    /** {@code htons(ETH_P_ALL)}. */
    public static int ethPAllNetworkOrder() {
        return Short.toUnsignedInt(Short.reverseBytes((short) ETH_P_ALL));
    }
}
