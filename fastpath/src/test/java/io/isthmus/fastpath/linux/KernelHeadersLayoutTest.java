package io.isthmus.fastpath.linux;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks every struct size, field offset and constant of the bindings against the kernel's uapi
 * headers (Debian linux-libc-dev): generates a C program printing {@code sizeof}/{@code offsetof}
 * and the macros, compiles it with gcc, and compares. Skipped (visibly) without gcc.
 */
class KernelHeadersLayoutTest {
    /** C expression → the value the Java side claims. */
    private static final Map<String, Long> EXPECTED = new LinkedHashMap<>();
    private static final Map<String, Long> ACTUAL = new HashMap<>();

    private static void struct(String cType, MemoryLayout layout, String... fields) {
        EXPECTED.put("sizeof(" + cType + ")", layout.byteSize());
        for (String field : fields) {
            EXPECTED.put("offsetof(" + cType + ", " + field + ")", layout.byteOffset(groupElement(field)));
        }
    }

    /** A field of a union bpf_attr member: the C name may carry a prefix ({@code link_create.}). */
    private static void attr(MemoryLayout layout, String cPrefix, String... fields) {
        for (String field : fields) {
            EXPECTED.put("offsetof(union bpf_attr, " + cPrefix + field + ")", layout.byteOffset(groupElement(field)));
        }
    }

    private static void constant(String name, long value) {
        EXPECTED.put("(long long)(" + name + ")", value);
    }

    static {
        struct("struct sockaddr_xdp", SockaddrXdp.LAYOUT, "sxdp_family", "sxdp_flags", "sxdp_ifindex",
                "sxdp_queue_id", "sxdp_shared_umem_fd");
        struct("struct xdp_umem_reg", XdpUmemReg.LAYOUT, "addr", "len", "chunk_size", "headroom", "flags");
        struct("struct xdp_ring_offset", XdpMmapOffsets.RING_OFFSET, "producer", "consumer", "desc", "flags");
        struct("struct xdp_mmap_offsets", XdpMmapOffsets.LAYOUT, "rx", "tx", "fr", "cr");
        struct("struct xdp_desc", XdpDesc.LAYOUT, "addr", "len", "options");
        struct("struct xdp_statistics", XdpStatistics.LAYOUT, "rx_dropped", "rx_invalid_descs", "tx_invalid_descs",
                "rx_ring_full", "rx_fill_ring_empty_descs", "tx_ring_empty_descs");
        struct("struct xdp_options", XdpOptions.LAYOUT, "flags");
        struct("struct pollfd", PollFd.LAYOUT, "fd", "events", "revents");
        struct("struct virtio_net_hdr", io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.LAYOUT, "flags", "gso_type",
                "hdr_len", "gso_size", "csum_start", "csum_offset");
        struct("struct msghdr", io.isthmus.fastpath.vnet.MmsgDescriptor.MSGHDR, "msg_name", "msg_namelen", "msg_iov",
                "msg_iovlen", "msg_control", "msg_controllen", "msg_flags");
        struct("struct mmsghdr", io.isthmus.fastpath.vnet.MmsgDescriptor.MMSGHDR, "msg_hdr", "msg_len");
        struct("struct iovec", io.isthmus.fastpath.vnet.MmsgDescriptor.IOVEC, "iov_base", "iov_len");
        constant("VIRTIO_NET_HDR_F_NEEDS_CSUM", io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.F_NEEDS_CSUM);
        constant("VIRTIO_NET_HDR_GSO_TCPV4", io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.GSO_TCPV4);
        constant("VIRTIO_NET_HDR_GSO_TCPV6", io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.GSO_TCPV6);
        constant("VIRTIO_NET_HDR_GSO_ECN", io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.GSO_ECN);
        constant("PACKET_VNET_HDR", PacketSocketConstants.PACKET_VNET_HDR);
        constant("PACKET_QDISC_BYPASS", PacketSocketConstants.PACKET_QDISC_BYPASS);
        constant("SOL_SOCKET", PosixConstants.SOL_SOCKET);
        constant("SO_SNDBUFFORCE", PosixConstants.SO_SNDBUFFORCE);
        struct("struct sockaddr_ll", SockaddrLl.LAYOUT, "sll_family", "sll_protocol", "sll_ifindex", "sll_hatype",
                "sll_pkttype", "sll_halen", "sll_addr");
        attr(BpfAttrMapCreate.LAYOUT, "", "map_type", "key_size", "value_size", "max_entries", "map_flags",
                "inner_map_fd", "numa_node", "map_name", "map_ifindex", "btf_fd", "btf_key_type_id",
                "btf_value_type_id", "btf_vmlinux_value_type_id", "map_extra");
        attr(BpfAttrMapElem.LAYOUT, "", "map_fd", "key", "value", "flags");
        attr(BpfAttrProgLoad.LAYOUT, "", "prog_type", "insn_cnt", "insns", "license", "log_level", "log_size",
                "log_buf", "kern_version", "prog_flags", "prog_name", "prog_ifindex", "expected_attach_type");
        attr(BpfAttrLinkCreate.LAYOUT, "link_create.", "prog_fd", "target_ifindex", "attach_type", "flags");
        attr(BpfAttrTestRun.LAYOUT, "test.", "prog_fd", "retval", "data_size_in", "data_size_out", "data_in",
                "data_out", "repeat", "duration", "ctx_size_in", "ctx_size_out", "ctx_in", "ctx_out", "flags", "cpu",
                "batch_size");
        EXPECTED.put("sizeof(((union bpf_attr *)0)->map_name)", (long) BpfAttrMapCreate.OBJ_NAME_LEN);
        EXPECTED.put("offsetof(struct xdp_md, data)", (long) BpfConstants.XDP_MD_DATA);
        EXPECTED.put("offsetof(struct xdp_md, data_end)", (long) BpfConstants.XDP_MD_DATA_END);
        EXPECTED.put("offsetof(struct xdp_md, data_meta)", (long) BpfConstants.XDP_MD_DATA_META);
        EXPECTED.put("offsetof(struct xdp_md, ingress_ifindex)", (long) BpfConstants.XDP_MD_INGRESS_IFINDEX);
        EXPECTED.put("offsetof(struct xdp_md, rx_queue_index)", (long) BpfConstants.XDP_MD_RX_QUEUE_INDEX);
        EXPECTED.put("offsetof(struct xdp_md, egress_ifindex)", (long) BpfConstants.XDP_MD_EGRESS_IFINDEX);

        constant("AF_XDP", XdpConstants.AF_XDP);
        constant("SOL_XDP", XdpConstants.SOL_XDP);
        constant("XDP_SHARED_UMEM", XdpConstants.XDP_SHARED_UMEM);
        constant("XDP_COPY", XdpConstants.XDP_COPY);
        constant("XDP_ZEROCOPY", XdpConstants.XDP_ZEROCOPY);
        constant("XDP_USE_NEED_WAKEUP", XdpConstants.XDP_USE_NEED_WAKEUP);
        constant("XDP_UMEM_UNALIGNED_CHUNK_FLAG", XdpConstants.XDP_UMEM_UNALIGNED_CHUNK_FLAG);
        constant("XDP_RING_NEED_WAKEUP", XdpConstants.XDP_RING_NEED_WAKEUP);
        constant("XDP_MMAP_OFFSETS", XdpConstants.XDP_MMAP_OFFSETS);
        constant("XDP_RX_RING", XdpConstants.XDP_RX_RING);
        constant("XDP_TX_RING", XdpConstants.XDP_TX_RING);
        constant("XDP_UMEM_REG", XdpConstants.XDP_UMEM_REG);
        constant("XDP_UMEM_FILL_RING", XdpConstants.XDP_UMEM_FILL_RING);
        constant("XDP_UMEM_COMPLETION_RING", XdpConstants.XDP_UMEM_COMPLETION_RING);
        constant("XDP_STATISTICS", XdpConstants.XDP_STATISTICS);
        constant("XDP_OPTIONS", XdpConstants.XDP_OPTIONS);
        constant("XDP_OPTIONS_ZEROCOPY", XdpConstants.XDP_OPTIONS_ZEROCOPY);
        constant("XDP_PGOFF_RX_RING", XdpConstants.XDP_PGOFF_RX_RING);
        constant("XDP_PGOFF_TX_RING", XdpConstants.XDP_PGOFF_TX_RING);
        constant("XDP_UMEM_PGOFF_FILL_RING", XdpConstants.XDP_UMEM_PGOFF_FILL_RING);
        constant("XDP_UMEM_PGOFF_COMPLETION_RING", XdpConstants.XDP_UMEM_PGOFF_COMPLETION_RING);
        constant("XDP_PACKET_HEADROOM", XdpConstants.XDP_PACKET_HEADROOM);

        constant("BPF_MAP_CREATE", BpfConstants.BPF_MAP_CREATE);
        constant("BPF_PROG_TEST_RUN", BpfConstants.BPF_PROG_TEST_RUN);
        constant("BPF_MAP_LOOKUP_ELEM", BpfConstants.BPF_MAP_LOOKUP_ELEM);
        constant("BPF_MAP_UPDATE_ELEM", BpfConstants.BPF_MAP_UPDATE_ELEM);
        constant("BPF_MAP_DELETE_ELEM", BpfConstants.BPF_MAP_DELETE_ELEM);
        constant("BPF_PROG_LOAD", BpfConstants.BPF_PROG_LOAD);
        constant("BPF_LINK_CREATE", BpfConstants.BPF_LINK_CREATE);
        constant("BPF_MAP_TYPE_XSKMAP", BpfConstants.BPF_MAP_TYPE_XSKMAP);
        constant("BPF_MAP_TYPE_ARRAY", BpfConstants.BPF_MAP_TYPE_ARRAY);
        constant("BPF_MAP_TYPE_HASH", BpfConstants.BPF_MAP_TYPE_HASH);
        constant("BPF_PROG_TYPE_XDP", BpfConstants.BPF_PROG_TYPE_XDP);
        constant("BPF_XDP", BpfConstants.BPF_XDP);
        constant("BPF_ANY", BpfConstants.BPF_ANY);
        constant("BPF_F_XDP_HAS_FRAGS", BpfConstants.BPF_F_XDP_HAS_FRAGS);
        constant("XDP_FLAGS_UPDATE_IF_NOEXIST", BpfConstants.XDP_FLAGS_UPDATE_IF_NOEXIST);
        constant("XDP_FLAGS_SKB_MODE", BpfConstants.XDP_FLAGS_SKB_MODE);
        constant("XDP_FLAGS_DRV_MODE", BpfConstants.XDP_FLAGS_DRV_MODE);
        constant("XDP_ABORTED", BpfConstants.XDP_ABORTED);
        constant("XDP_DROP", BpfConstants.XDP_DROP);
        constant("XDP_PASS", BpfConstants.XDP_PASS);
        constant("XDP_TX", BpfConstants.XDP_TX);
        constant("XDP_REDIRECT", BpfConstants.XDP_REDIRECT);
        constant("BPF_FUNC_redirect_map", BpfConstants.BPF_FUNC_REDIRECT_MAP);
        constant("BPF_FUNC_map_lookup_elem", BpfConstants.BPF_FUNC_MAP_LOOKUP_ELEM);
        constant("BPF_PSEUDO_MAP_FD", BpfConstants.BPF_PSEUDO_MAP_FD);

        constant("AF_PACKET", PacketSocketConstants.AF_PACKET);
        constant("ETH_P_ALL", PacketSocketConstants.ETH_P_ALL);
        constant("SOL_PACKET", PacketSocketConstants.SOL_PACKET);
        constant("PACKET_IGNORE_OUTGOING", PacketSocketConstants.PACKET_IGNORE_OUTGOING);
        constant("SOCK_RAW", PosixConstants.SOCK_RAW);
        constant("SOCK_CLOEXEC", PosixConstants.SOCK_CLOEXEC);
        constant("PROT_READ", PosixConstants.PROT_READ);
        constant("PROT_WRITE", PosixConstants.PROT_WRITE);
        constant("MAP_SHARED", PosixConstants.MAP_SHARED);
        constant("MAP_PRIVATE", PosixConstants.MAP_PRIVATE);
        constant("MAP_ANONYMOUS", PosixConstants.MAP_ANONYMOUS);
        constant("MAP_POPULATE", PosixConstants.MAP_POPULATE);
        constant("MSG_DONTWAIT", PosixConstants.MSG_DONTWAIT);
        constant("POLLIN", PosixConstants.POLLIN);
        constant("POLLOUT", PosixConstants.POLLOUT);
        constant("O_RDONLY", PosixConstants.O_RDONLY);
        constant("O_CLOEXEC", PosixConstants.O_CLOEXEC);
        constant("CLONE_NEWNET", PosixConstants.CLONE_NEWNET);
        for (int errno : new int[] {Errno.EPERM, Errno.ENOENT, Errno.EINTR, Errno.EBADF, Errno.EAGAIN, Errno.ENOMEM,
                Errno.EACCES, Errno.EFAULT, Errno.EBUSY, Errno.EEXIST, Errno.ENODEV, Errno.EINVAL, Errno.ENOSPC,
                Errno.ENOSYS, Errno.ENOTSOCK, Errno.ENOPROTOOPT, Errno.EPROTONOSUPPORT, Errno.EOPNOTSUPP,
                Errno.EAFNOSUPPORT, Errno.ENETDOWN, Errno.ENOBUFS}) {
            constant(Errno.name(errno), errno);
        }
    }

    @BeforeAll
    static void compileAndRunHeaderProbe() throws IOException, InterruptedException {
        final Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc) || onPath("gcc"),
                "SKIPPED: gcc is not installed, cannot check layouts against the kernel headers (scripts/install-deps.sh installs it)");
        assumeTrue(Files.exists(Path.of("/usr/include/linux/if_xdp.h")),
                "SKIPPED: /usr/include/linux/if_xdp.h missing (Debian package linux-libc-dev)");
        final Path dir = Files.createTempDirectory("isthmus-layout");
        try {
            final StringBuilder c = new StringBuilder("""
                    #include <stddef.h>
                    #include <stdio.h>
                    #include <errno.h>
                    #include <poll.h>
                    #include <fcntl.h>
                    #include <sched.h>
                    #include <sys/mman.h>
                    #include <sys/socket.h>
                    #include <linux/if_packet.h>
                    #include <linux/if_ether.h>
                    #include <linux/if_xdp.h>
                    #include <linux/if_link.h>
                    #include <linux/bpf.h>
                    #include <linux/virtio_net.h>
                    int main(void) {
                    """);
            int i = 0;
            for (String expr : EXPECTED.keySet()) {
                c.append("  printf(\"%d %lld\\n\", ").append(i++).append(", (long long)(").append(expr).append("));\n");
            }
            c.append("  return 0;\n}\n");
            Files.writeString(dir.resolve("probe.c"), c);
            run(dir, "gcc", "-D_GNU_SOURCE", "-o", "probe", "probe.c");
            final String out = run(dir, "./probe");
            final String[] exprs = EXPECTED.keySet().toArray(String[]::new);
            for (String line : out.split("\n")) {
                final String[] parts = line.trim().split(" ");
                ACTUAL.put(exprs[Integer.parseInt(parts[0])], Long.parseLong(parts[1]));
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    @Test
    void everySizeOffsetAndConstantMatchesTheKernelHeaders() {
        final StringBuilder mismatches = new StringBuilder();
        for (Map.Entry<String, Long> e : EXPECTED.entrySet()) {
            final Long actual = ACTUAL.get(e.getKey());
            if (!e.getValue().equals(actual)) {
                mismatches.append(e.getKey()).append(": Java ").append(e.getValue()).append(", C ").append(actual).append('\n');
            }
        }
        assertEquals("", mismatches.toString(), "layouts that disagree with the kernel headers");
        assertEquals(EXPECTED.size(), ACTUAL.size());
    }
}
