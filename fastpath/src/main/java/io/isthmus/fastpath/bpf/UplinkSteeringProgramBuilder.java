package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfConstants;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the XDP program of the node's uplink (the NIC outside traffic arrives on). Unlike a pod
 * port, whose every frame belongs to the fast path, the uplink carries the host's own traffic
 * (SSH, the kubelet, the API server, ARP): the program redirects to the XSKMAP only the frames the
 * fast path owns, as Cilium's XDP NodePort does, and XDP_PASSes everything else to the kernel.
 *
 * <p>Redirected: option-less or optioned IPv4, not a fragment, TCP or UDP, whose destination is
 * <ul>
 *   <li>one of the {@linkplain #nodeAddress node addresses} with a destination port inside the
 *       {@linkplain #nodePortRange NodePort range} (30000-32767 by default), or</li>
 *   <li>inside one of the {@linkplain #serviceCidr service CIDRs} (externalIPs, LoadBalancer
 *       ingress IPs; a single address is a /32), any port.</li>
 * </ul>
 * Passed to the kernel: ARP, IPv6, VLAN-tagged frames, ICMP, other protocols, fragments (the fast
 * path does not reassemble), truncated frames, and everything addressed elsewhere. A queue without
 * a socket in the map passes too ({@code bpf_redirect_map}'s fallback action).
 *
 * <pre>
 *   r6 = ctx; r7 = data; r8 = data_end
 *   data + 34 &gt; data_end                 → pass   (Ethernet + minimal IPv4 header)
 *   ethertype != 0x0800                  → pass
 *   version != 4 or IHL &lt; 5              → pass
 *   protocol not TCP (6) / UDP (17)      → pass
 *   MF flag or fragment offset set       → pass
 *   r9 = destination address; r7 = data + IHL*4
 *   r7 + 14 + 4 &gt; data_end               → pass   (the two ports)
 *   [frontends map] (dst, port, proto) found  → redirect   (externalIPs / LB IPs of the Services)
 *   r4 = destination port (host order)
 *   for each service CIDR: (r9 &amp; mask) == network → redirect
 *   r4 &lt; min or r4 &gt; max                 → pass
 *   [kernel ports map] bit r4 set       → pass   (health-check node ports: the host serves them)
 *   for each node address: r9 == address → redirect
 *   pass:     r0 = XDP_PASS; exit
 *   redirect: r0 = bpf_redirect_map(xskmap, rx_queue_index, XDP_PASS); exit
 * </pre>
 * Addresses are compared as the 32-bit little-endian loads of their network-order bytes (the
 * constants are byte-swapped here, once, instead of the packet's field at run time), moved into a
 * register with a 32-bit move so that no immediate is sign-extended. The destination port is the
 * one value swapped at run time, because it is compared as a range. Every packet read is preceded
 * by a {@code data_end} check the verifier can follow (the transport offset is bounded: IHL is
 * masked to 4 bits and checked &ge; 5).
 *
 * <p>The constants are part of the program: a change of node addresses or CIDRs means building
 * and attaching a new program (setup, not per packet).
 *
 * <p><b>Thread-safety:</b> none; setup only.
 */
public final class UplinkSteeringProgramBuilder {
    public static final int NODE_PORT_MIN_DEFAULT = 30000;
    public static final int NODE_PORT_MAX_DEFAULT = 32767;

    static final int ETHERNET_HEADER_BYTES = 14;
    static final int IPV4_MIN_HEADER_BYTES = 20;
    /** ETH_P_IP (0x0800) as a little-endian load of its two network-order bytes. */
    static final int ETHER_TYPE_IPV4_LOADED = 0x0008;
    /** The MF flag and the 13-bit fragment offset (network 0x3fff) as a little-endian 16-bit load. */
    static final int MORE_FRAGMENTS_OR_OFFSET_LOADED = 0xff3f;

    private final int xskMapFd;
    private final List<Integer> nodeAddresses = new ArrayList<>();
    private final List<int[]> serviceCidrs = new ArrayList<>();
    private int nodePortMin = NODE_PORT_MIN_DEFAULT;
    private int nodePortMax = NODE_PORT_MAX_DEFAULT;
    private int kernelPortsMapFd = -1;
    private int frontendsMapFd = -1;

    public UplinkSteeringProgramBuilder(int xskMapFd) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("the uplink steering program is built for little-endian machines only");
        }
        this.xskMapFd = xskMapFd;
    }

    /** A node address (network order as an int, see {@code Ipv4Address}): its NodePorts go to the fast path. */
    public UplinkSteeringProgramBuilder nodeAddress(int ipv4) {
        if (ipv4 == 0) {
            throw new IllegalArgumentException("node address 0.0.0.0 cannot be steered");
        }
        nodeAddresses.add(ipv4);
        return this;
    }

    /** The NodePort range, inclusive (kube-apiserver's --service-node-port-range). */
    public UplinkSteeringProgramBuilder nodePortRange(int min, int max) {
        if (min < 1 || max > 65535 || min > max) {
            throw new IllegalArgumentException("NodePort range must be 1..65535 with min <= max, was " + min + "-" + max);
        }
        nodePortMin = min;
        nodePortMax = max;
        return this;
    }

    /** Every TCP/UDP destination inside {@code networkIpv4/prefixBits} goes to the fast path (externalIPs, LB IPs). */
    public UplinkSteeringProgramBuilder serviceCidr(int networkIpv4, int prefixBits) {
        if (prefixBits < 1 || prefixBits > 32) {
            throw new IllegalArgumentException("service CIDR prefix must be 1..32 (0 would take all the host's traffic), was "
                    + prefixBits);
        }
        final int mask = -1 << (32 - prefixBits);
        serviceCidrs.add(new int[] {networkIpv4 & mask, mask});
        return this;
    }

    /**
     * Ports of the node addresses inside the NodePort range that stay the kernel's (health-check
     * node ports): the program looks each NodePort-range port up in {@code map} (one bit per port)
     * and passes the marked ones.
     */
    public UplinkSteeringProgramBuilder kernelPorts(KernelPortsMap map) {
        kernelPortsMapFd = map.fd();
        return this;
    }

    /**
     * Exact Service frontends (externalIPs, LoadBalancer IPs compiled from the Services): a frame
     * whose destination address, port and protocol are a key of {@code map} is redirected, on any
     * address. Looked up before the CIDR and NodePort checks.
     */
    public UplinkSteeringProgramBuilder serviceFrontends(ServiceFrontendsMap map) {
        frontendsMapFd = map.fd();
        return this;
    }

    /** The value a little-endian 32-bit load of {@code ipv4}'s network-order bytes gives. */
    static int loaded(int ipv4) {
        return Integer.reverseBytes(ipv4);
    }

    public long[] build() {
        if (nodeAddresses.isEmpty() && serviceCidrs.isEmpty() && frontendsMapFd < 0) {
            throw new IllegalStateException("the uplink program needs a node address, a service CIDR or a frontends map to steer");
        }
        final BpfRegister ctx = BpfRegister.R6;
        final BpfRegister data = BpfRegister.R7;
        final BpfRegister dataEnd = BpfRegister.R8;
        final BpfRegister dst = BpfRegister.R9;
        final BpfRegister dstPort = BpfRegister.R4;
        final BpfRegister t2 = BpfRegister.R2;
        final BpfRegister t3 = BpfRegister.R3;
        final BpfRegister t5 = BpfRegister.R5;
        final BpfAssembler asm = new BpfAssembler();
        asm.mov64(ctx, BpfRegister.R1)
                .ldx(BpfSize.W, data, ctx, BpfConstants.XDP_MD_DATA)
                .ldx(BpfSize.W, dataEnd, ctx, BpfConstants.XDP_MD_DATA_END)
                .mov64(t2, data).alu64(AluOp.ADD, t2, ETHERNET_HEADER_BYTES + IPV4_MIN_HEADER_BYTES)
                .jump(JmpOp.JGT, t2, dataEnd, "pass")
                .ldx(BpfSize.H, t2, data, 12)
                .jump(JmpOp.JNE, t2, ETHER_TYPE_IPV4_LOADED, "pass")
                .ldx(BpfSize.B, t2, data, ETHERNET_HEADER_BYTES) // version | IHL
                .mov64(t3, t2).alu64(AluOp.AND, t3, 0xf0)
                .jump(JmpOp.JNE, t3, 0x40, "pass")
                .alu64(AluOp.AND, t2, 0x0f)
                .jump(JmpOp.JLT, t2, 5, "pass")
                .ldx(BpfSize.B, t3, data, ETHERNET_HEADER_BYTES + 9) // protocol
                .jump(JmpOp.JEQ, t3, 6, "transport")
                .jump(JmpOp.JNE, t3, 17, "pass")
                .label("transport");
        if (frontendsMapFd >= 0) { // the lookup key, built on the stack as the frame's bytes: [-8] dst, [-4] port, [-2] proto, [-1] 0
            asm.stx(BpfSize.B, BpfRegister.R10, -2, t3).st(BpfSize.B, BpfRegister.R10, -1, 0);
        }
        asm.ldx(BpfSize.H, t3, data, ETHERNET_HEADER_BYTES + 6) // flags | fragment offset
                .alu64(AluOp.AND, t3, MORE_FRAGMENTS_OR_OFFSET_LOADED)
                .jump(JmpOp.JNE, t3, 0, "pass")
                .ldx(BpfSize.W, dst, data, ETHERNET_HEADER_BYTES + 16)
                .alu64(AluOp.LSH, t2, 2) // IHL * 4: 20..60
                .alu64(AluOp.ADD, data, t2) // data now points IHL*4 bytes in: the ports are at +14
                .mov64(t3, data).alu64(AluOp.ADD, t3, ETHERNET_HEADER_BYTES + 4)
                .jump(JmpOp.JGT, t3, dataEnd, "pass")
                .ldx(BpfSize.H, dstPort, data, ETHERNET_HEADER_BYTES + 2);
        if (frontendsMapFd >= 0) { // r7..r9 survive the call; the port is reloaded from the key after it
            asm.stx(BpfSize.W, BpfRegister.R10, -8, dst)
                    .stx(BpfSize.H, BpfRegister.R10, -4, dstPort)
                    .mov64(t2, BpfRegister.R10).alu64(AluOp.ADD, t2, -8)
                    .ldMapFd(BpfRegister.R1, frontendsMapFd)
                    .call(BpfConstants.BPF_FUNC_MAP_LOOKUP_ELEM)
                    .jump(JmpOp.JNE, BpfRegister.R0, 0, "redirect")
                    .ldx(BpfSize.H, dstPort, BpfRegister.R10, -4);
        }
        asm.mov64(t5, dstPort).alu64(AluOp.RSH, t5, 8)
                .alu64(AluOp.AND, dstPort, 0xff).alu64(AluOp.LSH, dstPort, 8)
                .alu64(AluOp.OR, dstPort, t5);
        for (int[] cidr : serviceCidrs) {
            asm.mov64(t3, dst).alu32(AluOp.AND, t3, loaded(cidr[1]))
                    .alu32(AluOp.MOV, t5, loaded(cidr[0]))
                    .jump(JmpOp.JEQ, t3, t5, "redirect");
        }
        if (!nodeAddresses.isEmpty()) {
            asm.jump(JmpOp.JLT, dstPort, nodePortMin, "pass")
                    .jump(JmpOp.JGT, dstPort, nodePortMax, "pass");
            if (kernelPortsMapFd >= 0) { // kernel ports: word = port >> 5 on the stack, bit = port & 31
                final BpfRegister port = BpfRegister.R7; // survives the call; the packet pointer is not needed any more
                asm.mov64(port, dstPort)
                        .mov64(t2, dstPort).alu64(AluOp.RSH, t2, 5)
                        .stx(BpfSize.W, BpfRegister.R10, -4, t2)
                        .mov64(t2, BpfRegister.R10).alu64(AluOp.ADD, t2, -4)
                        .ldMapFd(BpfRegister.R1, kernelPortsMapFd)
                        .call(BpfConstants.BPF_FUNC_MAP_LOOKUP_ELEM)
                        .jump(JmpOp.JEQ, BpfRegister.R0, 0, "node_addresses")
                        .ldx(BpfSize.W, t3, BpfRegister.R0, 0)
                        .mov64(t5, port).alu64(AluOp.AND, t5, 31)
                        .alu64(AluOp.RSH, t3, t5)
                        .alu64(AluOp.AND, t3, 1)
                        .jump(JmpOp.JNE, t3, 0, "pass")
                        .label("node_addresses");
            }
            for (int address : nodeAddresses) {
                asm.alu32(AluOp.MOV, t3, loaded(address)).jump(JmpOp.JEQ, dst, t3, "redirect");
            }
        }
        asm.label("pass").mov64(BpfRegister.R0, BpfConstants.XDP_PASS).exit()
                .label("redirect")
                .ldx(BpfSize.W, BpfRegister.R2, ctx, BpfConstants.XDP_MD_RX_QUEUE_INDEX)
                .ldMapFd(BpfRegister.R1, xskMapFd)
                .mov64(BpfRegister.R3, BpfConstants.XDP_PASS)
                .call(BpfConstants.BPF_FUNC_REDIRECT_MAP)
                .exit();
        return asm.assemble();
    }

    /** Builds and loads the program (single-buffer frames only). */
    public BpfProgram load(String name) {
        return BpfProgram.loadXdp(name, build());
    }

    /**
     * Builds and loads the program with {@code BPF_F_XDP_HAS_FRAGS}, as the pods' redirect program
     * is for a multi-buffer socket: the kernel then hands it multi-buffer frames (a NIC's jumbo or
     * GRO frame, a super-packet) instead of refusing the program on a device whose MTU exceeds a
     * page or linearising/dropping the frame. It may: every packet read above is bound-checked
     * against {@code data_end}, the end of the first buffer, and the headers it reads (Ethernet,
     * IPv4, the two ports) are in the first buffer of any frame a device builds.
     */
    public BpfProgram loadAcceptingFragments(String name) {
        return BpfProgram.loadXdp(name, build(), BpfConstants.BPF_F_XDP_HAS_FRAGS);
    }
}
