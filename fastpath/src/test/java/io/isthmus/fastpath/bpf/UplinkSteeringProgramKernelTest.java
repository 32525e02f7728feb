package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.testing.FlowFrames;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.fastpath.testing.TestFrames;
import io.isthmus.fastpath.xsk.Umem;
import io.isthmus.fastpath.xsk.XskBindMode;
import io.isthmus.fastpath.xsk.XskConfig;
import io.isthmus.fastpath.xsk.XskSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The uplink steering program in the real kernel (root + AF_XDP; skipped visibly otherwise): the
 * verifier accepts it, and {@code BPF_PROG_TEST_RUN} on crafted frames shows what it redirects
 * (XDP_REDIRECT: an AF_XDP socket on a test veth sits in the map at queue 0, the queue a test run
 * reports) and what it leaves to the kernel (XDP_PASS).
 */
class UplinkSteeringProgramKernelTest {
    static final int NODE = Ipv4Address.parse("192.168.77.10");
    static final int OTHER_NODE_ADDRESS = Ipv4Address.parse("192.168.77.200");
    static final int CLIENT = Ipv4Address.parse("192.168.77.1");
    static final int LB_IP = Ipv4Address.parse("203.0.113.7");
    static final long NODE_MAC = FlowFrames.mac("02:00:00:00:00:0a");
    static final long CLIENT_MAC = FlowFrames.mac("02:00:00:00:00:01");

    @RegisterExtension
    final PodExtension pods = new PodExtension();
    private Umem umem;
    private XskSocket socket;
    private XskMap map;
    private KernelPortsMap kernelPorts;
    private ServiceFrontendsMap frontends;
    private BpfProgram program;
    private Pod pod;

    @BeforeEach
    void load() {
        pod = pods.pod("10.201.0.2"); // skips visibly without root + AF_XDP
        umem = Umem.allocate(64, 2048);
        socket = XskSocket.open(pod.hostInterface(), 0, umem, null, new XskConfig(2048, 64, 32, XskBindMode.AUTO, null));
        map = XskMap.create("isx_up_test", 4);
        map.put(0, socket.fd());
        kernelPorts = KernelPortsMap.create("isx_kports_test");
        frontends = ServiceFrontendsMap.create("isx_fronts_test");
        program = builder().load("isx_uplink");
    }

    private UplinkSteeringProgramBuilder builder() {
        return new UplinkSteeringProgramBuilder(map.fd())
                .kernelPorts(kernelPorts)
                .serviceFrontends(frontends)
                .nodeAddress(NODE)
                .nodePortRange(30000, 32767)
                .serviceCidr(LB_IP, 32)
                .serviceCidr(Ipv4Address.parse("198.51.100.0"), 24);
    }

    @AfterEach
    void close() {
        for (AutoCloseable c : new AutoCloseable[] {program, frontends, kernelPorts, map, socket, umem}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private int action(byte[] frame) {
        return BpfTestRun.xdpAction(program, frame);
    }

    private static byte[] tcpTo(int dst, int dstPort) {
        return FlowFrames.tcp(NODE_MAC, CLIENT_MAC, CLIENT, 40000, dst, dstPort, 1, 0, FlowFrames.SYN, new byte[0]);
    }

    private static byte[] udpTo(int dst, int dstPort) {
        return FlowFrames.udp(NODE_MAC, CLIENT_MAC, CLIENT, 40000, dst, dstPort, new byte[] {1, 2, 3});
    }

    @Test
    void nodePortTrafficToTheNodeAddressIsRedirected() {
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(NODE, 30080)));
        assertEquals(BpfConstants.XDP_REDIRECT, action(udpTo(NODE, 31000)));
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(NODE, 30000)), "the range is inclusive at the bottom");
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(NODE, 32767)), "and at the top");
    }

    @Test
    void theHostsOwnTrafficToTheNodeAddressStaysInTheKernel() {
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(NODE, 22)), "ssh");
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(NODE, 6443)), "the API server");
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(NODE, 29999)), "one below the NodePort range");
        assertEquals(BpfConstants.XDP_PASS, action(udpTo(NODE, 32768)), "one above it (a client's ephemeral port)");
        assertEquals(BpfConstants.XDP_PASS, action(TestFrames.icmpEchoFrame(NODE_MAC, CLIENT_MAC, CLIENT, NODE, 64, 8, 1)), "ping");
        assertEquals(BpfConstants.XDP_PASS, action(TestFrames.arpRequestFrame(CLIENT_MAC, CLIENT, NODE)), "ARP");
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(OTHER_NODE_ADDRESS, 30080)), "a NodePort of another address");
    }

    @Test
    void healthCheckNodePortsMarkedInTheKernelPortsMapStayTheKernelsWhileTheProgramRuns() {
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(NODE, 32100)));
        kernelPorts.set(java.util.List.of(32100, 30000));
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(NODE, 32100)), "marked: the host's health-check server");
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(NODE, 30000)));
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(NODE, 32101)), "the next port (same map word) is still a NodePort");
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(NODE, 32099)));
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(NODE, 30001)));
        assertTrue(kernelPorts.contains(32100));
        kernelPorts.set(java.util.List.of(30000));
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(NODE, 32100)), "unmarked again: back to the fast path");
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(NODE, 30000)));
        assertThrows(IllegalArgumentException.class, () -> kernelPorts.set(java.util.List.of(70000)));
    }

    @Test
    void exactFrontendsInTheFrontendsMapAreRedirectedWhileTheProgramRuns() {
        final int lb = Ipv4Address.parse("192.0.2.200"); // in no configured CIDR
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(lb, 443)));
        frontends.set(java.util.List.of(new ServiceFrontendsMap.Frontend(lb, 443, 6), new ServiceFrontendsMap.Frontend(lb, 53, 17)));
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(lb, 443)), "an LB IP's TCP frontend");
        assertEquals(BpfConstants.XDP_REDIRECT, action(udpTo(lb, 53)), "its UDP frontend");
        assertEquals(BpfConstants.XDP_PASS, action(udpTo(lb, 443)), "the same port over UDP is no frontend");
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(lb, 22)), "another port of that address is the kernel's");
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(NODE, 30080)), "NodePorts still work after a lookup miss");
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(NODE, 22)));
        frontends.set(java.util.List.of(new ServiceFrontendsMap.Frontend(lb, 53, 17)));
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(lb, 443)), "removed: back to the kernel");
        assertEquals(BpfConstants.XDP_REDIRECT, action(udpTo(lb, 53)));
    }

    @Test
    void serviceAddressesAreRedirectedOnEveryPort() {
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(LB_IP, 80)));
        assertEquals(BpfConstants.XDP_REDIRECT, action(udpTo(LB_IP, 53)));
        assertEquals(BpfConstants.XDP_REDIRECT, action(tcpTo(Ipv4Address.parse("198.51.100.255"), 443)), "inside the /24");
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(Ipv4Address.parse("198.51.101.1"), 443)), "outside the /24");
        assertEquals(BpfConstants.XDP_PASS, action(tcpTo(Ipv4Address.parse("203.0.113.8"), 80)), "next to the /32");
        assertEquals(BpfConstants.XDP_PASS, action(TestFrames.icmpEchoFrame(NODE_MAC, CLIENT_MAC, CLIENT, LB_IP, 64, 8, 1)),
                "ICMP to a LoadBalancer IP is the kernel's");
    }

    @Test
    void malformedTruncatedAndFragmentedFramesPass() {
        final byte[] syn = tcpTo(NODE, 30080);
        for (int length : new int[] {14, 20, 33, 34, 36, 37}) {
            assertEquals(BpfConstants.XDP_PASS, action(java.util.Arrays.copyOf(syn, length)), "truncated to " + length + " bytes");
        }
        assertEquals(BpfConstants.XDP_REDIRECT, action(java.util.Arrays.copyOf(syn, 38)), "Ethernet + IPv4 + both ports suffice");
        final byte[] notIpv4 = syn.clone();
        notIpv4[14] = 0x65; // version 6 in an IPv4 ethertype
        assertEquals(BpfConstants.XDP_PASS, action(notIpv4));
        final byte[] shortIhl = syn.clone();
        shortIhl[14] = 0x44;
        assertEquals(BpfConstants.XDP_PASS, action(shortIhl), "IHL below 5");
        final byte[] moreFragments = syn.clone();
        moreFragments[20] = 0x20; // MF, offset 0
        assertEquals(BpfConstants.XDP_PASS, action(moreFragments));
        final byte[] laterFragment = syn.clone();
        laterFragment[20] = 0x00;
        laterFragment[21] = 0x10; // offset 16 * 8 bytes
        assertEquals(BpfConstants.XDP_PASS, action(laterFragment));
        final byte[] vlan = new byte[syn.length + 4];
        System.arraycopy(syn, 0, vlan, 0, 12);
        vlan[12] = (byte) 0x81;
        vlan[13] = 0x00;
        System.arraycopy(syn, 12, vlan, 16, syn.length - 12);
        assertEquals(BpfConstants.XDP_PASS, action(vlan), "802.1Q frames are left to the kernel");
    }

    @Test
    void ipOptionsMoveThePortsAndAreFollowed() {
        final byte[] syn = tcpTo(NODE, 30080);
        final byte[] withOptions = new byte[syn.length + 4];
        System.arraycopy(syn, 0, withOptions, 0, 34);
        withOptions[14] = 0x46; // IHL 6: one 4-byte option word (NOPs)
        for (int i = 34; i < 38; i++) {
            withOptions[i] = 1;
        }
        System.arraycopy(syn, 34, withOptions, 38, syn.length - 34);
        assertEquals(BpfConstants.XDP_REDIRECT, action(withOptions));
        withOptions[38 + 3] = 22; // destination port 22 behind the options
        withOptions[38 + 2] = 0;
        assertEquals(BpfConstants.XDP_PASS, action(withOptions));
    }

    @Test
    void attachesToAnInterfaceAndDetachesOnClose() {
        final String ifname = socket.interfaceName();
        try (XdpLink link = XdpLink.attachPreferNative(program, Libc.ifNameToIndex(ifname))) {
            assertTrue(Shell.check("ip", "-o", "link", "show", ifname).contains("xdp"));
            assertTrue(link.fd() > 0);
        }
        assertFalse(Shell.check("ip", "-o", "link", "show", ifname).contains("prog/xdp"));
    }

    /**
     * A veth refuses a native XDP program that cannot take multi-buffer frames once its peer's MTU
     * is larger than a page holds; the uplink program loaded accepting fragments attaches there, and
     * a multi-buffer test frame (larger than a page) is steered like a single-buffer one.
     */
    @Test
    void loadedAcceptingFragmentsItTakesFramesLargerThanAPage() {
        pod.exec(10, "ip", "link", "set", "eth0", "mtu", "9000").orThrow();
        final int ifindex = Libc.ifNameToIndex(socket.interfaceName());
        assertThrows(LinuxException.class, () -> XdpLink.attach(program, ifindex, XdpMode.NATIVE).close(),
                "the plain program on a veth whose peer sends 9000-byte frames");
        try (BpfProgram fragments = builder().loadAcceptingFragments("isx_uplink_mb");
             XdpLink link = XdpLink.attach(fragments, ifindex, XdpMode.NATIVE)) {
            assertEquals(XdpMode.NATIVE, link.mode());
            final byte[] jumbo = FlowFrames.tcp(NODE_MAC, CLIENT_MAC, CLIENT, 40000, NODE, 30080, 1, 0, FlowFrames.ACK, new byte[6000]);
            assertEquals(BpfConstants.XDP_REDIRECT, BpfTestRun.xdpAction(fragments, jumbo), "a NodePort frame in several buffers");
            final byte[] jumboToHost = FlowFrames.tcp(NODE_MAC, CLIENT_MAC, CLIENT, 40000, NODE, 22, 1, 0, FlowFrames.ACK, new byte[6000]);
            assertEquals(BpfConstants.XDP_PASS, BpfTestRun.xdpAction(fragments, jumboToHost), "the host's own, in several buffers");
        }
    }
}
