package io.isthmus.fastpath.traffic;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Frame-level traffic between two pods through the switch, the same tests over every kind of port.
 *
 * <h2>Extension point</h2>
 * A port type joins the suite with a subclass that implements {@link #openNetwork()}: return a
 * {@link PodNetwork} whose two {@link PodEndpoint}s are pods A and B on two ports of one running
 * worker, with the route table already published (each pod's IP → its port, a local MAC per port,
 * gateway 169.254.1.1). The suite opens a fresh network before each test and closes it after, even
 * when the test fails. Existing subclasses: {@code InMemoryTrafficTest} (in-memory ports, worker on
 * an AgentRunner thread) and {@code PcapTrafficTest} (pcap files followed as they grow). An AF_XDP
 * subclass gives each pod a network namespace and a veth, sends and receives raw frames on the pod
 * side (a packet socket), and runs the worker on AF_XDP ports on the host side; it should skip
 * visibly (JUnit {@code Assumptions}) when it lacks root or AF_XDP. Endpoints may see frames the
 * suite did not ask for (a pod kernel's ARP or IPv6 chatter): the suite skips them, and it answers
 * the switch's ARP requests for a pod's own address itself, as a pod's kernel would.
 * {@link #receiveTimeout()} may be raised for slow ports.
 *
 * <h2>What it checks</h2>
 * <ul>
 *   <li>ping: A resolves its gateway by ARP, sends an ICMP echo request to B; B gets it with TTL - 1,
 *   source MAC = the switch's MAC on B's port, destination MAC = B's MAC, valid checksums and the
 *   same payload; B's reply reaches A the same way.</li>
 *   <li>a UDP exchange, request and response, payloads and checksums intact.</li>
 *   <li>a scripted TCP conversation: handshake, then 10 MiB of data segments (MSS 1448) with a
 *   go-back-N window, then FIN; the SHA-256 of the payload B accepted in order equals A's.</li>
 * </ul>
 */
public abstract class TrafficSuite {
    public static final int GATEWAY = Ipv4Address.parse("169.254.1.1");
    static final int MAX_SKIPPED_FRAMES = 10_000;
    static final int MSS = 1448;
    static final int WINDOW_SEGMENTS = 32;
    static final int TCP_BYTES = 10 * 1024 * 1024;

    private PodNetwork network;

    /** Opens two pods on a running switch (see the class comment). */
    protected abstract PodNetwork openNetwork() throws Exception;

    /** How long the suite waits for one expected frame. */
    protected Duration receiveTimeout() {
        return Duration.ofSeconds(5);
    }

    @BeforeEach
    void openTheNetwork() throws Exception {
        network = openNetwork();
    }

    @AfterEach
    void closeTheNetwork() throws Exception {
        if (network != null) {
            network.close();
        }
    }

    @Test
    @Timeout(60)
    void ping() throws Exception {
        final PodEndpoint a = network.podA();
        final PodEndpoint b = network.podB();
        final long gatewayMacA = resolveGateway(a);
        final long gatewayMacB = resolveGateway(b);
        for (int sequence = 1; sequence <= 3; sequence++) {
            final byte[] request = TestFrames.icmpEchoFrame(gatewayMacA, a.mac(), a.ip(), b.ip(), 64, 8, sequence);
            a.send(request);
            final int seq = sequence;
            final Frame atB = await(b, f -> f.isIpv4() && f.protocol() == TestFrames.PROTO_ICMP && f.srcIp() == a.ip()
                    && f.l4()[0] == 8 && (f.l4()[7] & 0xFF) == seq, "echo request " + seq + " at B");
            assertRouted(atB, new Frame(request), b.mac(), gatewayMacB);

            final byte[] reply = TestFrames.icmpEchoFrame(gatewayMacB, b.mac(), b.ip(), a.ip(), 64, 0, sequence);
            b.send(reply);
            final Frame atA = await(a, f -> f.isIpv4() && f.protocol() == TestFrames.PROTO_ICMP && f.srcIp() == b.ip()
                    && f.l4()[0] == 0 && (f.l4()[7] & 0xFF) == seq, "echo reply " + seq + " at A");
            assertRouted(atA, new Frame(reply), a.mac(), gatewayMacA);
        }
    }

    @Test
    @Timeout(60)
    void udpExchange() throws Exception {
        final PodEndpoint a = network.podA();
        final PodEndpoint b = network.podB();
        final long gatewayMacA = resolveGateway(a);
        final long gatewayMacB = resolveGateway(b);
        for (int n = 0; n < 20; n++) {
            final byte[] question = ("question " + n + " " + "?".repeat(n * 50)).getBytes();
            final byte[] sent = TestFrames.udpFrame(gatewayMacA, a.mac(), a.ip(), b.ip(), 64, 40000 + n, 5353, question);
            a.send(sent);
            final int sourcePort = 40000 + n;
            final Frame atB = await(b, f -> f.isIpv4() && f.protocol() == TestFrames.PROTO_UDP && f.srcPort() == sourcePort,
                    "UDP question " + n + " at B");
            assertRouted(atB, new Frame(sent), b.mac(), gatewayMacB);
            assertArrayEquals(question, atB.udpPayload());

            final byte[] answer = ("answer " + n).getBytes();
            b.send(TestFrames.udpFrame(gatewayMacB, b.mac(), b.ip(), a.ip(), 64, 5353, sourcePort, answer));
            final Frame atA = await(a, f -> f.isIpv4() && f.protocol() == TestFrames.PROTO_UDP && f.dstPort() == sourcePort,
                    "UDP answer " + n + " at A");
            assertEquals(63, atA.ttl());
            assertTrue(atA.l4ChecksumOk(), "UDP checksum of the answer");
            assertArrayEquals(answer, atA.udpPayload());
        }
    }

    @Test
    @Timeout(300)
    void tcpConversationDeliversTenMebibytesIntact() throws Exception {
        final PodEndpoint a = network.podA();
        final PodEndpoint b = network.podB();
        final long gatewayMacA = resolveGateway(a);
        final long gatewayMacB = resolveGateway(b);
        final int portA = 41000;
        final int portB = 8080;
        final long isnA = 1_000L;
        final long isnB = 7_000_000L;
        final Predicate<Frame> toB = f -> f.isIpv4() && f.protocol() == TestFrames.PROTO_TCP && f.dstPort() == portB;
        final Predicate<Frame> toA = f -> f.isIpv4() && f.protocol() == TestFrames.PROTO_TCP && f.dstPort() == portA;
        final TcpSender fromA = new TcpSender(a, gatewayMacA, b.ip(), portA, portB);
        final TcpSender fromB = new TcpSender(b, gatewayMacB, a.ip(), portB, portA);

        fromA.send(isnA, 0, Tcp.SYN, new byte[0]);
        final Frame syn = await(b, toB, "SYN at B");
        assertEquals(Tcp.SYN, syn.tcpFlags());
        assertTrue(syn.l4ChecksumOk());
        fromB.send(isnB, isnA + 1, Tcp.SYN | Tcp.ACK, new byte[0]);
        final Frame synAck = await(a, toA, "SYN-ACK at A");
        assertEquals(Tcp.SYN | Tcp.ACK, synAck.tcpFlags());
        assertEquals(isnA + 1, synAck.tcpAcknowledgment());
        fromA.send(isnA + 1, isnB + 1, Tcp.ACK, new byte[0]);
        await(b, toB.and(f -> f.tcpFlags() == Tcp.ACK), "handshake ACK at B");

        final byte[] data = new byte[TCP_BYTES];
        new SplittableRandom(0x15_7_4_05L).nextBytes(data);
        final byte[] sentDigest = MessageDigest.getInstance("SHA-256").digest(data);
        final MessageDigest received = MessageDigest.getInstance("SHA-256");
        long receivedBytes = 0;
        long acked = 0;
        final int maxRounds = TCP_BYTES / (MSS * WINDOW_SEGMENTS) * 4 + 100;
        for (int round = 0; acked < TCP_BYTES; round++) {
            if (round > maxRounds) {
                fail("TCP transfer stuck at " + acked + " of " + TCP_BYTES + " bytes after " + round + " rounds; "
                        + network.diagnostics());
            }
            int inFlight = 0;
            for (long offset = acked; offset < TCP_BYTES && inFlight < WINDOW_SEGMENTS; offset += MSS, inFlight++) {
                final int length = (int) Math.min(MSS, TCP_BYTES - offset);
                fromA.send(isnA + 1 + offset, isnB + 1, Tcp.ACK | Tcp.PSH,
                        Arrays.copyOfRange(data, (int) offset, (int) offset + length));
            }
            for (int got = 0; got < inFlight; got++) {
                final Frame segment = awaitOrNull(b, toB, got == 0 ? receiveTimeout() : Duration.ofMillis(500));
                if (segment == null) {
                    break; // lost on the way: B acknowledges what it has, A goes back
                }
                assertTrue(segment.l4ChecksumOk(), "TCP checksum of a data segment");
                assertEquals(63, segment.ttl());
                final byte[] payload = segment.tcpPayload();
                if (segment.tcpSequence() == ((isnA + 1 + receivedBytes) & 0xFFFF_FFFFL)) {
                    received.update(payload);
                    receivedBytes += payload.length;
                }
            }
            fromB.send(isnB + 1, isnA + 1 + receivedBytes, Tcp.ACK, new byte[0]);
            final long expectAck = (isnA + 1 + receivedBytes) & 0xFFFF_FFFFL;
            final Frame ack = await(a, toA.and(f -> f.tcpAcknowledgment() == expectAck), "ACK " + expectAck + " at A");
            acked = ack.tcpAcknowledgment() - isnA - 1;
        }
        fromA.send(isnA + 1 + TCP_BYTES, isnB + 1, Tcp.FIN | Tcp.ACK, new byte[0]);
        await(b, toB.and(f -> (f.tcpFlags() & Tcp.FIN) != 0), "FIN at B");
        fromB.send(isnB + 1, isnA + 2 + TCP_BYTES, Tcp.FIN | Tcp.ACK, new byte[0]);
        await(a, toA.and(f -> (f.tcpFlags() & Tcp.FIN) != 0), "FIN at A");

        assertEquals(TCP_BYTES, receivedBytes);
        assertEquals(HexFormat.of().formatHex(sentDigest), HexFormat.of().formatHex(received.digest()),
                "SHA-256 of the payload B received in order");
    }

    /** ARP who-has 169.254.1.1 from {@code pod}; returns the MAC the switch answered with. */
    protected long resolveGateway(PodEndpoint pod) throws Exception {
        pod.send(TestFrames.arpRequestFrame(pod.mac(), pod.ip(), GATEWAY));
        final Frame reply = await(pod, f -> f.isArp() && f.arpOperation() == 2 && f.arpSenderIp() == GATEWAY,
                "ARP reply for the gateway at " + Ipv4Address.format(pod.ip()));
        assertEquals(pod.mac(), reply.dstMac());
        assertEquals(reply.arpSenderMac(), reply.srcMac());
        assertTrue(reply.arpSenderMac() != MacAddress.UNKNOWN && !MacAddress.isMulticast(reply.arpSenderMac()));
        return reply.arpSenderMac();
    }

    /** The router's promise for one forwarded frame. */
    private static void assertRouted(Frame received, Frame sent, long podMac, long gatewayMac) {
        assertEquals(MacAddress.format(podMac), MacAddress.format(received.dstMac()), "destination MAC = the pod's");
        assertEquals(MacAddress.format(gatewayMac), MacAddress.format(received.srcMac()), "source MAC = the switch's on that port");
        assertEquals(sent.ttl() - 1, received.ttl(), "TTL decremented once");
        assertTrue(received.ipChecksumOk(), "IPv4 header checksum");
        assertTrue(received.l4ChecksumOk(), "transport checksum");
        assertEquals(sent.srcIp(), received.srcIp());
        assertEquals(sent.dstIp(), received.dstIp());
        assertArrayEquals(sent.l4(), received.l4(), "transport header and payload unchanged");
    }

    /** The next frame at {@code pod} that matches, or fails after {@link #receiveTimeout()}. */
    protected Frame await(PodEndpoint pod, Predicate<Frame> wanted, String what) throws Exception {
        final Frame frame = awaitOrNull(pod, wanted, receiveTimeout());
        assertNotNull(frame, what + ": nothing within " + receiveTimeout() + "; " + network.diagnostics());
        return frame;
    }

    /**
     * The next frame at {@code pod} that matches within {@code timeout}, or null. Frames that do not
     * match are skipped (at most {@link #MAX_SKIPPED_FRAMES}); ARP requests for the pod's own address
     * are answered on the way, as the pod's kernel would.
     */
    protected Frame awaitOrNull(PodEndpoint pod, Predicate<Frame> wanted, Duration timeout) throws Exception {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        for (int skipped = 0; skipped < MAX_SKIPPED_FRAMES; skipped++) {
            final long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                return null;
            }
            final byte[] bytes = pod.receive(Duration.ofNanos(leftNs));
            if (bytes == null) {
                return null;
            }
            final Frame frame = new Frame(bytes);
            if (wanted.test(frame)) {
                return frame;
            }
            if (frame.isArp() && frame.arpOperation() == 1 && frame.arpTargetIp() == pod.ip()) {
                pod.send(TestFrames.ethernet(frame.srcMac(), pod.mac(), TestFrames.ETHER_ARP,
                        TestFrames.arp(2, pod.mac(), pod.ip(), frame.arpSenderMac(), frame.arpSenderIp())));
            }
        }
        fail("skipped " + MAX_SKIPPED_FRAMES + " unexpected frames at " + Ipv4Address.format(pod.ip()));
        return null;
    }

    /** TCP flag bits. */
    static final class Tcp {
        static final int FIN = 0x01;
        static final int SYN = 0x02;
        static final int PSH = 0x08;
        static final int ACK = 0x10;
    }

    /** Builds and sends TCP segments from one pod to the other through the pod's gateway. */
    record TcpSender(PodEndpoint pod, long gatewayMac, int peerIp, int port, int peerPort) {
        void send(long sequence, long acknowledgment, int flags, byte[] payload) throws Exception {
            pod.send(TestFrames.ipv4Frame(gatewayMac, pod.mac(), pod.ip(), peerIp, 64, TestFrames.PROTO_TCP,
                    TestFrames.tcp(pod.ip(), peerIp, port, peerPort, sequence, acknowledgment, flags, 65535, payload)));
        }
    }
}
