package io.isthmus.fastpath.golden;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pcap.PcapWriter;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableText;
import io.isthmus.fastpath.testing.FlowFrames;
import io.isthmus.fastpath.testing.TestFrames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the golden cases under {@code src/test/resources/golden/}. The expected frames are built
 * by {@link TestFrames} from what a router must do (TTL - 1 with the header checksum recomputed from
 * scratch, MACs replaced), never by running the pipeline, so a golden case checks the pipeline
 * rather than recording it. Run by hand when a case is added:
 * {@code java ... io.isthmus.fastpath.golden.GoldenCaseWriter fastpath/src/test/resources/golden}.
 */
public final class GoldenCaseWriter {
    static final long SWITCH_MAC_0 = MacAddress.parse("02:00:00:00:00:01");
    static final long SWITCH_MAC_1 = MacAddress.parse("02:00:00:00:00:02");
    static final long POD_MAC_A = MacAddress.parse("0a:00:00:00:00:0a");
    static final long POD_MAC_B = MacAddress.parse("0a:00:00:00:00:0b");
    static final int POD_A = Ipv4Address.parse("10.244.1.2");
    static final int POD_B = Ipv4Address.parse("10.244.1.3");
    static final int GATEWAY = Ipv4Address.parse("169.254.1.1");
    static final long SWITCH_MAC_2 = MacAddress.parse("02:00:00:00:00:03");
    static final long HOST_MAC = MacAddress.parse("0e:00:00:00:00:99");
    static final int NODE_IP = Ipv4Address.parse("192.168.7.10");

    private final Path root;

    private GoldenCaseWriter(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws IOException {
        new GoldenCaseWriter(Path.of(args.length > 0 ? args[0] : "fastpath/src/test/resources/golden")).writeAll();
    }

    static RouteTable twoPods() {
        return RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, POD_B).build();
    }

    static byte[] arpReply(long switchMac, long podMac, int podIp) {
        return TestFrames.ethernet(podMac, switchMac, TestFrames.ETHER_ARP, TestFrames.arp(2, switchMac, GATEWAY, podMac, podIp));
    }

    void writeAll() throws IOException {
        final Case arp = new Case("arp-reply", "A pod's who-has for its gateway is answered with the switch MAC of its port.");
        arp.in(0, TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY));
        arp.out(0, arpReply(SWITCH_MAC_0, POD_MAC_A, POD_A));
        arp.write();

        final Case ping = new Case("routed-icmp-echo",
                "Both pods resolve the gateway, then A pings B and B answers: each echo leaves with TTL-1 and rewritten MACs.");
        final byte[] request = TestFrames.icmpEchoFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 8, 1);
        final byte[] reply = TestFrames.icmpEchoFrame(SWITCH_MAC_1, POD_MAC_B, POD_B, POD_A, 64, 0, 1);
        ping.in(1, TestFrames.arpRequestFrame(POD_MAC_B, POD_B, GATEWAY));
        ping.out(1, arpReply(SWITCH_MAC_1, POD_MAC_B, POD_B));
        ping.in(0, TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY));
        ping.out(0, arpReply(SWITCH_MAC_0, POD_MAC_A, POD_A));
        ping.in(0, request);
        ping.out(1, TestFrames.routed(request, POD_MAC_B, SWITCH_MAC_1));
        ping.in(1, reply);
        ping.out(0, TestFrames.routed(reply, POD_MAC_A, SWITCH_MAC_0));
        ping.write();

        final Case ttl = new Case("ttl-expiry-drop", "Packets arriving with TTL 1 or 0 are not forwarded.");
        ttl.in(1, TestFrames.arpRequestFrame(POD_MAC_B, POD_B, GATEWAY));
        ttl.out(1, arpReply(SWITCH_MAC_1, POD_MAC_B, POD_B));
        ttl.in(0, TestFrames.icmpEchoFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 1, 8, 1));
        ttl.in(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 0, 5000, 53, new byte[8]));
        ttl.drop("TTL_EXPIRED", 2);
        ttl.write();

        final Case neighbor = new Case("unknown-neighbor-arp-request",
                "B's MAC is not known yet: the packet is dropped and the switch asks for B on B's port.");
        neighbor.in(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 5000, 53, new byte[8]));
        neighbor.out(1, TestFrames.ethernet(MacAddress.BROADCAST, SWITCH_MAC_1, TestFrames.ETHER_ARP,
                TestFrames.arp(1, SWITCH_MAC_1, GATEWAY, 0, POD_B)));
        neighbor.drop("NEIGHBOR_UNKNOWN", 1);
        neighbor.write();

        final Case noRoute = new Case("no-route", "A destination that is no pod of this table is dropped.");
        noRoute.in(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, Ipv4Address.parse("10.9.9.9"), 64, 1, 2, new byte[8]));
        noRoute.drop("NO_ROUTE", 1);
        noRoute.write();

        writeHostPortCase();

        final Case malformed = new Case("malformed-frames-dropped", "Each malformed frame is a counted drop with its reason.");
        final byte[] udp = TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 1000, 2000, new byte[10]);
        malformed.in(0, Arrays.copyOf(udp, 12));
        malformed.drop("FRAME_TOO_SHORT", 1);
        malformed.in(0, with(udp, 14, 0x65));
        malformed.drop("IPV4_BAD_VERSION", 1);
        malformed.in(0, with(udp, 14, 0x43));
        malformed.drop("IPV4_BAD_IHL", 1);
        malformed.in(0, with(udp, 14, 0x46));
        malformed.drop("IPV4_OPTIONS", 1);
        malformed.in(0, with(udp, 17, 200));
        malformed.drop("IPV4_BAD_TOTAL_LENGTH", 1);
        malformed.in(0, with(udp, 20, 0x20));
        malformed.drop("IPV4_FRAGMENT", 1);
        malformed.in(0, with(udp, 25, udp[25] ^ 0x10));
        malformed.drop("IPV4_BAD_CHECKSUM", 1);
        malformed.in(0, TestFrames.ipv4Frame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, TestFrames.PROTO_UDP, new byte[5]));
        malformed.drop("L4_TOO_SHORT", 1);
        malformed.in(0, TestFrames.ethernet(SWITCH_MAC_0, POD_MAC_A, 0x8100, new byte[46]));
        malformed.drop("VLAN_TAGGED", 1);
        malformed.in(0, TestFrames.ethernet(SWITCH_MAC_0, POD_MAC_A, 0x88CC, new byte[46]));
        malformed.drop("UNSUPPORTED_ETHERTYPE", 1);
        malformed.in(0, with(TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY), 14 + 5, 16));
        malformed.drop("ARP_MALFORMED", 1);
        malformed.write();

        writeFlowCases();
    }

    static final int VIP = Ipv4Address.parse("10.96.0.10");
    static final int EMPTY_VIP = Ipv4Address.parse("10.96.0.20");

    /** Both pods resolve their gateway (which teaches the switch their MACs). */
    private static void learnBothPods(Case c) {
        c.in(0, TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY));
        c.out(0, arpReply(SWITCH_MAC_0, POD_MAC_A, POD_A));
        c.in(1, TestFrames.arpRequestFrame(POD_MAC_B, POD_B, GATEWAY));
        c.out(1, arpReply(SWITCH_MAC_1, POD_MAC_B, POD_B));
    }

    /** Pods A (port 0) and B (port 1) and the node's namespace on the host port (port 2). */
    static RouteTable twoPodsAndTheHost() {
        return RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, POD_B).hostPort(2, SWITCH_MAC_2).build();
    }

    private void writeHostPortCase() throws IOException {
        final Case host = new Case("host-port", "The host port: proxy ARP for pods, the default route to the node, node to pod.")
                .table(twoPodsAndTheHost());
        host.in(2, TestFrames.arpRequestFrame(HOST_MAC, NODE_IP, POD_A));           // the node asks for pod A: proxy ARP
        host.out(2, TestFrames.ethernet(HOST_MAC, SWITCH_MAC_2, TestFrames.ETHER_ARP, TestFrames.arp(2, SWITCH_MAC_2, POD_A, HOST_MAC, NODE_IP)));
        final byte[] toNode = TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, NODE_IP, 64, 5353, 80, new byte[8]);
        host.in(0, toNode);                                                          // pod A to the node: default route
        host.out(2, TestFrames.routed(toNode, HOST_MAC, SWITCH_MAC_2));
        final byte[] toPod = TestFrames.udpFrame(SWITCH_MAC_2, HOST_MAC, NODE_IP, POD_A, 64, 80, 5353, new byte[8]);
        host.in(2, toPod);                                                           // the node to pod A
        host.out(0, TestFrames.routed(toPod, POD_MAC_A, SWITCH_MAC_0));
        host.in(2, TestFrames.arpRequestFrame(HOST_MAC, NODE_IP, Ipv4Address.parse("10.244.1.99"))); // no such pod: no answer
        host.drop("ARP_CONSUMED", 1);
        host.in(2, TestFrames.udpFrame(SWITCH_MAC_2, HOST_MAC, NODE_IP, Ipv4Address.parse("10.9.9.9"), 64, 1, 2, new byte[8]));
        host.drop("NO_ROUTE", 1);                                                    // never back to the node
        host.write();
    }

    private void writeFlowCases() throws IOException {
        final byte[] none = new byte[0];
        final Case dnat = new Case("service-dnat-and-reply",
                "A opens a TCP connection to ClusterIP 10.96.0.10:80 whose one backend is B:8080: the SYN reaches B DNATed, "
                        + "B's SYN-ACK reaches A un-DNATed (from the ClusterIP), A's ACK reaches B through the connection.");
        dnat.flow("flow");
        dnat.flow("service web TCP 10.96.0.10 80 8080 10.244.1.3");
        learnBothPods(dnat);
        dnat.in(0, FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 40000, VIP, 80, 1000, 0, FlowFrames.SYN, none));
        dnat.out(1, TestFrames.routed(FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 40000, POD_B, 8080, 1000, 0, FlowFrames.SYN, none),
                POD_MAC_B, SWITCH_MAC_1));
        dnat.in(1, FlowFrames.tcp(SWITCH_MAC_1, POD_MAC_B, POD_B, 8080, POD_A, 40000, 5000, 1001, FlowFrames.SYN_ACK, none));
        dnat.out(0, TestFrames.routed(FlowFrames.tcp(SWITCH_MAC_1, POD_MAC_B, VIP, 80, POD_A, 40000, 5000, 1001, FlowFrames.SYN_ACK, none),
                POD_MAC_A, SWITCH_MAC_0));
        dnat.in(0, FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 40000, VIP, 80, 1001, 5001, FlowFrames.ACK, none));
        dnat.out(1, TestFrames.routed(FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 40000, POD_B, 8080, 1001, 5001, FlowFrames.ACK, none),
                POD_MAC_B, SWITCH_MAC_1));
        dnat.write();

        final Case rst = new Case("service-reject-tcp-rst",
                "A Service without endpoints refuses a TCP SYN at once: a RST|ACK from the ClusterIP back to A.");
        rst.flow("flow");
        rst.flow("service empty TCP 10.96.0.20 80 8080");
        learnBothPods(rst);
        rst.in(0, FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 40001, EMPTY_VIP, 80, 7777, 0, FlowFrames.SYN, none));
        rst.out(0, TestFrames.routed(FlowFrames.reset(POD_MAC_A, SWITCH_MAC_0, EMPTY_VIP, 80, POD_A, 40001, 0, 7778,
                FlowFrames.RST | FlowFrames.ACK), POD_MAC_A, SWITCH_MAC_0));
        rst.in(0, FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 40001, EMPTY_VIP, 80, 7778, 99, FlowFrames.ACK, none));
        rst.out(0, TestFrames.routed(FlowFrames.reset(POD_MAC_A, SWITCH_MAC_0, EMPTY_VIP, 80, POD_A, 40001, 99, 0,
                FlowFrames.RST), POD_MAC_A, SWITCH_MAC_0));
        rst.drop("SERVICE_REJECTED", 2);
        rst.write();

        final Case unreachable = new Case("service-reject-udp-port-unreachable",
                "A UDP datagram to a Service without endpoints is answered with ICMP port unreachable quoting it.");
        unreachable.flow("flow");
        unreachable.flow("service empty UDP 10.96.0.20 53 5353");
        learnBothPods(unreachable);
        final byte[] query = FlowFrames.udp(SWITCH_MAC_0, POD_MAC_A, POD_A, 33333, EMPTY_VIP, 53, "query".getBytes());
        unreachable.in(0, query);
        unreachable.out(0, TestFrames.routed(FlowFrames.portUnreachable(POD_MAC_A, SWITCH_MAC_0, EMPTY_VIP, POD_A, query),
                POD_MAC_A, SWITCH_MAC_0));
        unreachable.drop("SERVICE_REJECTED", 1);
        unreachable.write();

        final Case hairpin = new Case("hairpin-snat",
                "A reaches its own Service: the SYN comes back to A from the node address 169.254.1.1 and SNAT port "
                        + GoldenFlowTables.SNAT_PORT + ", A's SYN-ACK is un-SNATed and un-DNATed back to A's socket.");
        hairpin.flow("flow");
        hairpin.flow("service self TCP 10.96.0.10 80 8080 10.244.1.2");
        learnBothPods(hairpin);
        final int snat = GoldenFlowTables.SNAT_PORT;
        hairpin.in(0, FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 40002, VIP, 80, 1, 0, FlowFrames.SYN, none));
        hairpin.out(0, TestFrames.routed(FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, GATEWAY, snat, POD_A, 8080, 1, 0, FlowFrames.SYN, none),
                POD_MAC_A, SWITCH_MAC_0));
        hairpin.in(0, FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 8080, GATEWAY, snat, 9, 2, FlowFrames.SYN_ACK, none));
        hairpin.out(0, TestFrames.routed(FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, VIP, 80, POD_A, 40002, 9, 2, FlowFrames.SYN_ACK, none),
                POD_MAC_A, SWITCH_MAC_0));
        hairpin.write();

        final Case deny = new Case("policy-deny",
                "B (app=server) accepts only app=client on TCP 8080: A (app=client) connects to B:8080 and B's reply "
                        + "passes without a verdict of its own; A's SYN to B:9090 is denied.");
        deny.flow("flow");
        deny.flow("pod a 10.244.1.2 client");
        deny.flow("pod b 10.244.1.3 server");
        deny.flow("deny-ingress server");
        deny.flow("allow-ingress server client TCP 8080");
        learnBothPods(deny);
        final byte[] allowed = FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 40003, POD_B, 8080, 1, 0, FlowFrames.SYN, none);
        deny.in(0, allowed);
        deny.out(1, TestFrames.routed(allowed, POD_MAC_B, SWITCH_MAC_1));
        final byte[] reply = FlowFrames.tcp(SWITCH_MAC_1, POD_MAC_B, POD_B, 8080, POD_A, 40003, 1, 2, FlowFrames.SYN_ACK, none);
        deny.in(1, reply);
        deny.out(0, TestFrames.routed(reply, POD_MAC_A, SWITCH_MAC_0));
        deny.in(0, FlowFrames.tcp(SWITCH_MAC_0, POD_MAC_A, POD_A, 40004, POD_B, 9090, 1, 0, FlowFrames.SYN, none));
        deny.drop("POLICY_DENIED", 1);
        deny.write();
    }

    static byte[] with(byte[] frame, int index, int value) {
        final byte[] copy = frame.clone();
        copy[index] = (byte) value;
        return copy;
    }

    /** One case: frames in (with their ingress port), frames out (with their egress port), drops. */
    final class Case {
        final String name;
        final String description;
        final List<byte[]> in = new ArrayList<>();
        final List<Integer> ingress = new ArrayList<>();
        final List<byte[]> out = new ArrayList<>();
        final List<Integer> egress = new ArrayList<>();
        final List<String> drops = new ArrayList<>();
        final List<String> flowLines = new ArrayList<>();
        RouteTable table = twoPods();

        Case(String name, String description) {
            this.name = name;
            this.description = description;
        }

        /** The route table of this case (default: {@link #twoPods()}). */
        Case table(RouteTable routes) {
            this.table = routes;
            return this;
        }

        void in(int port, byte[] frame) {
            ingress.add(port);
            in.add(frame);
        }

        void out(int port, byte[] frame) {
            egress.add(port);
            out.add(frame);
        }

        /** A flow-table directive (see GoldenFlowTables). */
        void flow(String line) {
            flowLines.add(line);
        }

        void drop(String reason, int count) {
            drops.add(reason + " " + count);
        }

        void write() throws IOException {
            final Path dir = root.resolve(name);
            Files.createDirectories(dir);
            writePcap(dir.resolve("in.pcap"), in);
            writePcap(dir.resolve("expected.pcap"), out);
            Files.writeString(dir.resolve("tables.txt"), "# " + description + "\n" + RouteTableText.format(table));
            final StringBuilder text = new StringBuilder();
            if (!flowLines.isEmpty()) {
                text.append("# flow tables (GoldenFlowTables)\n");
                for (String line : flowLines) {
                    text.append(line).append('\n');
                }
            }
            text.append("# frames of in.pcap arrive on these ports, in order\n");
            text.append("ingress").append(join(ingress)).append('\n');
            text.append("# frames of expected.pcap leave on these ports, in order\n");
            text.append("egress").append(join(egress)).append('\n');
            text.append("# drops counted per reason (every other reason: 0)\n");
            for (String drop : drops) {
                text.append("drop ").append(drop).append('\n');
            }
            Files.writeString(dir.resolve("case.txt"), text.toString());
        }

        private String join(List<Integer> ports) {
            final StringBuilder text = new StringBuilder();
            for (int port : ports) {
                text.append(' ').append(port);
            }
            return text.toString();
        }

        private void writePcap(Path file, List<byte[]> frames) throws IOException {
            try (PcapWriter writer = PcapWriter.create(file)) {
                long timestampNs = 1_764_115_200_000_000_000L;
                for (byte[] frame : frames) {
                    writer.write(frame, timestampNs);
                    timestampNs += 1_000_000L;
                }
            }
        }
    }
}
