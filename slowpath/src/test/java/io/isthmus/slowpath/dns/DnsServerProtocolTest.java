package io.isthmus.slowpath.dns;

import io.isthmus.dns.zone.ZoneSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket server's protocol handling with raw sockets: error codes, TCP framing, idle timeout,
 * garbage. Runs once per UDP backend (the subclasses).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DnsServerProtocolTest {
    private static final long IDLE_TIMEOUT_MS = 300;
    private DnsServer server;

    /** The UDP backend under test. */
    abstract DnsServer.UdpBackend backend();

    @BeforeAll
    void start() throws Exception {
        final KubernetesZone.Result result = ZoneFromManifests.load(DnsConformanceTest.CLUSTER, ZoneSettings.defaults());
        server = DnsServer.start(result.zone(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new DnsServer.Options(2, IDLE_TIMEOUT_MS, 16, 1232, backend()));
        assertEquals(backend(), server.udpBackend());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private byte[] udp(byte[] query) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(2_000);
            socket.send(new DatagramPacket(query, query.length, server.address()));
            final DatagramPacket response = new DatagramPacket(new byte[65535], 65535);
            socket.receive(response);
            return Arrays.copyOf(response.getData(), response.getLength());
        }
    }

    private static byte[] aQuery(int id) throws Exception {
        final Message query = Message.newQuery(Record.newRecord(Name.fromString("kubernetes.default.svc.cluster.local."), Type.A, DClass.IN));
        query.getHeader().setID(id);
        return query.toWire();
    }

    private static int rcode(byte[] response) {
        return response[3] & 0xF;
    }

    @Test
    void errorCodes() throws Exception {
        final byte[] twoQuestions = aQuery(1);
        twoQuestions[5] = 2;
        assertEquals(Rcode.FORMERR, rcode(udp(twoQuestions)));
        final byte[] noQuestion = Arrays.copyOf(aQuery(2), 12);
        noQuestion[5] = 0;
        assertEquals(Rcode.FORMERR, rcode(udp(noQuestion)));
        final byte[] status = aQuery(3);
        status[2] = (byte) (2 << 3); // opcode STATUS
        assertEquals(Rcode.NOTIMP, rcode(udp(status)));
        final byte[] cut = Arrays.copyOf(aQuery(4), 20);
        assertEquals(Rcode.FORMERR, rcode(udp(cut)));
        final byte[] answered = udp(aQuery(0x4242));
        assertEquals(0x42, answered[0]);
        assertEquals(0x42, answered[1]);
        assertEquals(Rcode.NOERROR, rcode(answered));
    }

    @Test
    void severalQueriesOnOneTcpConnectionThenTheIdleTimeoutClosesIt() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(server.address(), 2_000);
            socket.setSoTimeout(3_000);
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            // Three queries written back to back (pipelined), answered in order.
            for (int id = 1; id <= 3; id++) {
                final byte[] query = aQuery(id);
                out.writeShort(query.length);
                out.write(query);
            }
            out.flush();
            for (int id = 1; id <= 3; id++) {
                final byte[] response = new byte[in.readUnsignedShort()];
                in.readFully(response);
                final Message message = new Message(response);
                assertEquals(id, message.getHeader().getID());
                assertEquals("10.96.0.1", message.getSection(Section.ANSWER).getFirst().rdataToString());
            }
            final long idleStart = System.nanoTime();
            assertEquals(-1, in.read(), "the server closes an idle connection");
            final long idleMs = (System.nanoTime() - idleStart) / 1_000_000;
            assertTrue(idleMs >= IDLE_TIMEOUT_MS / 2 && idleMs < 2_900, "closed after " + idleMs + " ms");
        }
    }

    @Test
    void aResponseSentAsAQueryIsDropped() throws Exception {
        final byte[] response = aQuery(9);
        response[2] |= (byte) 0x80;
        assertThrows(SocketTimeoutException.class, () -> {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.setSoTimeout(300);
                socket.send(new DatagramPacket(response, response.length, server.address()));
                socket.receive(new DatagramPacket(new byte[512], 512));
            }
        });
    }

    @Test
    void garbageOverUdpAndTcpDoesNotStopTheServer() throws Exception {
        final SplittableRandom random = new SplittableRandom(7);
        try (DatagramSocket socket = new DatagramSocket()) {
            for (int i = 0; i < 500; i++) {
                final byte[] garbage = new byte[random.nextInt(0, 600)];
                random.nextBytes(garbage);
                socket.send(new DatagramPacket(garbage, garbage.length, server.address()));
            }
        }
        for (int i = 0; i < 20; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(server.address(), 2_000);
                final byte[] garbage = new byte[random.nextInt(0, 300)];
                random.nextBytes(garbage);
                socket.getOutputStream().write(garbage);
                socket.shutdownOutput();
                socket.setSoTimeout(2_000);
                while (socket.getInputStream().read() >= 0) {
                    // drain whatever comes back until the server closes
                }
            } catch (java.net.ConnectException refused) {
                throw new AssertionError("the TCP listener stopped accepting after garbage", refused);
            } catch (java.net.SocketException reset) {
                // the server may reset a connection it gave up on: fine
            }
        }
        assertEquals(Rcode.NOERROR, rcode(udp(aQuery(77))), "still answering");
    }
}

/** With recvmmsg/sendmmsg (skipped, visibly, where unavailable). */
class MmsgDnsServerProtocolTest extends DnsServerProtocolTest {
    @Override
    DnsServer.UdpBackend backend() {
        org.junit.jupiter.api.Assumptions.assumeTrue(MmsgUdpSocket.available(), "recvmmsg/sendmmsg need 64-bit Linux");
        return DnsServer.UdpBackend.MMSG;
    }
}

/** With a NIO DatagramChannel. */
class NioDnsServerProtocolTest extends DnsServerProtocolTest {
    @Override
    DnsServer.UdpBackend backend() {
        return DnsServer.UdpBackend.NIO;
    }
}
