package io.isthmus.slowpath.netlink;

import io.isthmus.fastpath.linux.Ethtool;
import io.isthmus.fastpath.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The offloads of an interface whose frames a userspace switch receives on AF_XDP, set with the
 * ethtool ioctls ({@code SIOCETHTOOL}) in the calling thread's namespace.
 *
 * <p>A frame that reaches AF_XDP carries no "checksum still to be done" mark and no segmentation
 * metadata. The fast path's multi-buffer ports make up for both where it knows how (fastpath
 * {@code AfXdpPort}): it completes IPv4 TCP and UDP checksums left partial, and takes IPv4 TCP
 * super-packets (TSO/GSO) whole as frame chains, sent on as one GSO packet or split into MTU
 * segments. {@link #keepForMultiBufferSwitching} therefore leaves a pod its TX checksum offload,
 * scatter-gather, TSO and GSO (the pod's stack then runs once per 64 KiB instead of once per
 * 1,448 bytes) and turns off only what the fast path cannot finish: the segmentation of every
 * other kind of super-packet (IPv6 TCP, AccECN TCP, UDP GSO, SCTP, GSO lists, tunnels: the pod's stack then
 * segments those itself before they leave) and SCTP's CRC32c offload.
 * {@link #disableForUserspaceSwitching} turns TX checksum, scatter-gather, TSO and GSO off
 * altogether (the node's host port, whose kernel side must hand the fast path finished frames).
 *
 * <p>The legacy commands ({@code ETHTOOL_STSO} ...) do not reach features newer than them (on
 * Linux 6.18, {@code tx-tcp-accecn-segmentation}); the features by name
 * ({@code ETHTOOL_GSTRINGS} of {@code ETH_SS_FEATURES}, then {@code ETHTOOL_SFEATURES}) reach all.
 *
 * <p><b>Thread-safety:</b> stateless; each call opens and closes its own socket.
 */
public final class Offloads {
    private static final int ETHTOOL_STXCSUM = 0x17;
    private static final int ETHTOOL_SSG = 0x19;
    private static final int ETHTOOL_STSO = 0x1f;
    private static final int ETHTOOL_SGSO = 0x24;
    private static final int ETHTOOL_GSTRINGS = 0x1b;
    private static final int ETHTOOL_GSSET_INFO = 0x37;
    private static final int ETHTOOL_SFEATURES = 0x3b;
    private static final int ETH_SS_FEATURES = 4;
    private static final int ETH_GSTRING_LEN = 32;

    /**
     * Features a pod whose frames Isthmus switches must not have: super-packets the fast path
     * cannot segment (only IPv4 TCP ones it can) and SCTP checksums it does not compute. Names
     * the running kernel does not know are skipped.
     */
    public static final Set<String> UNFINISHABLE_BY_THE_FAST_PATH = Set.of(
            "tx-tcp6-segmentation", "tx-udp-segmentation", "tx-sctp-segmentation", "tx-gso-list",
            "tx-udp_tnl-segmentation", "tx-udp_tnl-csum-segmentation", "tx-gre-segmentation", "tx-gre-csum-segmentation",
            "tx-ipxip4-segmentation", "tx-ipxip6-segmentation", "tx-tunnel-remcsum-segmentation", "tx-esp-segmentation",
            "tx-gso-partial", "tx-fcoe-segmentation", "tx-checksum-sctp",
            "tx-tcp-accecn-segmentation");

    private Offloads() {
    }

    /** TX checksum, scatter-gather, TSO and GSO off on {@code ifName} in the calling thread's namespace. */
    public static void disableForUserspaceSwitching(String ifName) {
        final int fd = Ethtool.socket();
        try (Arena arena = Arena.ofConfined()) {
            for (int command : new int[]{ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SSG, ETHTOOL_STXCSUM}) {
                final MemorySegment value = arena.allocate(8, 4); // struct ethtool_value { u32 cmd; u32 data; }
                value.set(ValueLayout.JAVA_INT, 0, command);
                value.set(ValueLayout.JAVA_INT, 4, 0);
                Ethtool.call(fd, arena, ifName, value, "0x" + Integer.toHexString(command));
            }
        } finally {
            Libc.close(fd, "ethtool socket");
        }
    }

    /**
     * The pod's TX checksum offload, scatter-gather, TSO and GSO stay as the kernel made them (on,
     * for a veth); the features in {@link #UNFINISHABLE_BY_THE_FAST_PATH} are turned off. Returns
     * the names it turned off (those the kernel knows).
     */
    public static List<String> keepForMultiBufferSwitching(String ifName) {
        final int fd = Ethtool.socket();
        try (Arena arena = Arena.ofConfined()) {
            final List<String> names = featureNames(fd, arena, ifName);
            final int blocks = (names.size() + 31) / 32;
            // struct ethtool_sfeatures { u32 cmd; u32 size; struct { u32 valid; u32 requested; } features[size]; }
            final MemorySegment request = arena.allocate(8 + 8L * blocks, 4);
            request.set(ValueLayout.JAVA_INT, 0, ETHTOOL_SFEATURES);
            request.set(ValueLayout.JAVA_INT, 4, blocks);
            final List<String> cleared = new ArrayList<>();
            for (int bit = 0; bit < names.size(); bit++) {
                if (UNFINISHABLE_BY_THE_FAST_PATH.contains(names.get(bit))) {
                    final long valid = 8 + 8L * (bit / 32);
                    request.set(ValueLayout.JAVA_INT, valid, request.get(ValueLayout.JAVA_INT, valid) | 1 << (bit % 32));
                    cleared.add(names.get(bit)); // requested stays 0: off
                }
            }
            Ethtool.call(fd, arena, ifName, request, "ETHTOOL_SFEATURES");
            return List.copyOf(cleared);
        } finally {
            Libc.close(fd, "ethtool socket");
        }
    }

    /** The kernel's feature names, by bit: {@code ETHTOOL_GSSET_INFO} for the count, then {@code ETHTOOL_GSTRINGS}. */
    private static List<String> featureNames(int fd, Arena arena, String ifName) {
        // struct ethtool_sset_info { u32 cmd; u32 reserved; u64 sset_mask; u32 data[]; }
        final MemorySegment info = arena.allocate(16 + 4, 8);
        info.set(ValueLayout.JAVA_INT, 0, ETHTOOL_GSSET_INFO);
        info.set(ValueLayout.JAVA_LONG, 8, 1L << ETH_SS_FEATURES);
        Ethtool.call(fd, arena, ifName, info, "ETHTOOL_GSSET_INFO");
        if ((info.get(ValueLayout.JAVA_LONG, 8) & 1L << ETH_SS_FEATURES) == 0) {
            throw new IllegalStateException(ifName + " reports no feature names (ETH_SS_FEATURES)");
        }
        final int count = info.get(ValueLayout.JAVA_INT, 16);
        if (count <= 0 || count > 1024) {
            throw new IllegalStateException(ifName + " reports " + count + " feature names");
        }
        // struct ethtool_gstrings { u32 cmd; u32 string_set; u32 len; u8 data[len * ETH_GSTRING_LEN]; }
        final MemorySegment strings = arena.allocate(12 + (long) count * ETH_GSTRING_LEN, 4);
        strings.set(ValueLayout.JAVA_INT, 0, ETHTOOL_GSTRINGS);
        strings.set(ValueLayout.JAVA_INT, 4, ETH_SS_FEATURES);
        strings.set(ValueLayout.JAVA_INT, 8, count);
        Ethtool.call(fd, arena, ifName, strings, "ETHTOOL_GSTRINGS");
        final List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(strings.asSlice(12 + (long) i * ETH_GSTRING_LEN, ETH_GSTRING_LEN).getString(0, StandardCharsets.US_ASCII));
        }
        return names;
    }
}
