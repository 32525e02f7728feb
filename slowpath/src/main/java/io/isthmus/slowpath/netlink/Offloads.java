package io.isthmus.slowpath.netlink;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.PosixConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Turns off the offloads a userspace switch cannot honour on a pod's interface, with the legacy
 * ethtool ioctls ({@code SIOCETHTOOL}). A frame that reaches AF_XDP carries no "checksum still to
 * be done" mark and no segmentation: with TX checksum offload the pod's kernel would send TCP and
 * UDP with only the pseudo-header sum, and with TSO/GSO super-frames larger than a UMEM frame.
 * (Multi-buffer AF_XDP can lift the second limit later.)
 *
 * <p>The legacy commands do not reach features newer than them: on Linux 6.18,
 * {@code tx-tcp-accecn-segmentation} stays on. It applies only to AccECN connections and needs
 * GSO, which is off; moving to {@code ETHTOOL_SFEATURES} would clear it too.
 */
public final class Offloads {
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_STXCSUM = 0x17;
    private static final int ETHTOOL_SSG = 0x19;
    private static final int ETHTOOL_STSO = 0x1f;
    private static final int ETHTOOL_SGSO = 0x24;
    private static final int IFREQ_BYTES = 40;
    private static final int IFNAMSIZ = 16;

    private Offloads() {
    }

    /** TX checksum, scatter-gather, TSO and GSO off on {@code ifName} in the calling thread's namespace. */
    public static void disableForUserspaceSwitching(String ifName) {
        final int fd = Libc.socket(PosixConstants.AF_INET, PosixConstants.SOCK_DGRAM | PosixConstants.SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            for (int command : new int[]{ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SSG, ETHTOOL_STXCSUM}) {
                final MemorySegment value = arena.allocate(8, 4); // struct ethtool_value { u32 cmd; u32 data; }
                value.set(ValueLayout.JAVA_INT, 0, command);
                value.set(ValueLayout.JAVA_INT, 4, 0);
                final MemorySegment ifreq = arena.allocate(IFREQ_BYTES, 8);
                final byte[] name = ifName.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(name, 0, ifreq, ValueLayout.JAVA_BYTE, 0, Math.min(name.length, IFNAMSIZ - 1));
                ifreq.set(ValueLayout.ADDRESS, IFNAMSIZ, value);
                Libc.ioctl(fd, SIOCETHTOOL, ifreq, "SIOCETHTOOL 0x" + Integer.toHexString(command) + " " + ifName);
            }
        } finally {
            Libc.close(fd, "ethtool socket");
        }
    }
}
