package io.isthmus.fastpath.vnet;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct virtio_net_hdr} ({@code <linux/virtio_net.h>}): the 10 bytes a packet socket with
 * {@code PACKET_VNET_HDR} reads in front of every frame it sends, saying what the device (or the
 * kernel in its place) still has to do with it: finish a checksum, segment a TSO/GSO super-packet.
 * The 16-bit fields are in the machine's byte order (a packet socket uses the legacy virtio
 * endianness, which is native), not network order. Checked against the kernel headers by
 * {@code KernelHeadersLayoutTest}.
 *
 * <pre>
 *   0         1            2           4            6             8              10
 *   +---------+------------+-----------+------------+-------------+--------------+
 *   |  flags  |  gso_type  |  hdr_len  |  gso_size  | csum_start  | csum_offset  |
 *   +---------+------------+-----------+------------+-------------+--------------+
 *   flags     NEEDS_CSUM: the L4 checksum field holds the pseudo-header sum; the data from
 *             csum_start on is still to be added, the result stored at csum_start + csum_offset
 *   gso_type  NONE | TCPV4 | TCPV6, | ECN when the TCP segment carries CWR
 *   hdr_len   Ethernet + IP + TCP header bytes (copied in front of every segment)
 *   gso_size  TCP payload bytes per segment (the MSS of the egress MTU)
 * </pre>
 */
public final class VirtioNetHeaderDescriptor {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("flags"),
            JAVA_BYTE.withName("gso_type"),
            JAVA_SHORT.withName("hdr_len"),
            JAVA_SHORT.withName("gso_size"),
            JAVA_SHORT.withName("csum_start"),
            JAVA_SHORT.withName("csum_offset"));

    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HDR_LEN_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CSUM_START_OFFSET = 6;
    public static final int CSUM_OFFSET_OFFSET = 8;
    public static final int LENGTH_BYTES = 10;

    /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: use csum_start and csum_offset. */
    public static final int F_NEEDS_CSUM = 1;
    /** {@code VIRTIO_NET_HDR_GSO_NONE}. */
    public static final int GSO_NONE = 0;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV4}: IPv4 TCP (TSO). */
    public static final int GSO_TCPV4 = 1;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV6}: IPv6 TCP. */
    public static final int GSO_TCPV6 = 4;
    /** {@code VIRTIO_NET_HDR_GSO_ECN}: the TCP header has CWR set (only the first segment keeps it). */
    public static final int GSO_ECN = 0x80;

    private VirtioNetHeaderDescriptor() {
    }
}
