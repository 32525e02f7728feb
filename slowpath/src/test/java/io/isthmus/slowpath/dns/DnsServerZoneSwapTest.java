package io.isthmus.slowpath.dns;

import io.isthmus.dns.zone.ServicePort;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A zone replaced while queries are being answered: every answer comes whole from the old zone
 * or from the new one (read-copy-update). Bounded: 2,000 queries, one flipping thread.
 */
class DnsServerZoneSwapTest {

    private static Zone zone(String ip, String portName) {
        return new ZoneBuilder(new ZoneSettings("cluster.local", 5, 1))
                .addService(ServiceRecord.clusterIp("default", "web", List.of(InetAddress.ofLiteral(ip)), List.of(new ServicePort(portName, "TCP", 80))))
                .build();
    }

    @Test
    void everyAnswerComesWholeFromOneZone() throws Exception {
        final Zone first = zone("10.96.0.1", "http");
        final Zone second = zone("10.96.0.2", "web");
        try (DnsServer server = DnsServer.start(first, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new DnsServer.Options(2, 1_000, 4, 1232));
             DatagramSocket socket = new DatagramSocket()) {
            final AtomicBoolean running = new AtomicBoolean(true);
            final Thread flipper = Thread.ofPlatform().start(() -> {
                boolean flip = false;
                while (running.get()) {
                    server.zone(flip ? first : second);
                    flip = !flip;
                    Thread.onSpinWait();
                }
            });
            socket.setSoTimeout(2_000);
            final Set<String> seen = new HashSet<>();
            final byte[] receive = new byte[1500];
            try {
                for (int i = 0; i < 2_000; i++) {
                    final boolean srv = i % 2 == 0;
                    final Message query = Message.newQuery(Record.newRecord(Name.fromString(srv
                            ? "_http._tcp.web.default.svc.cluster.local." : "web.default.svc.cluster.local."), srv ? Type.SRV : Type.A, DClass.IN));
                    query.getHeader().setID(i);
                    final byte[] wire = query.toWire();
                    socket.send(new DatagramPacket(wire, wire.length, server.address()));
                    final DatagramPacket packet = new DatagramPacket(receive, receive.length);
                    socket.receive(packet);
                    final Message response = new Message(java.util.Arrays.copyOf(receive, packet.getLength()));
                    assertEquals(i, response.getHeader().getID());
                    if (srv) {
                        // The http port exists only in the first zone, whose address is 10.96.0.1.
                        final List<Record> answers = response.getSection(Section.ANSWER);
                        if (!answers.isEmpty()) {
                            assertEquals("10.96.0.1", response.getSection(Section.ADDITIONAL).getFirst().rdataToString());
                        }
                        seen.add(answers.isEmpty() ? "srv-absent" : "srv-present");
                    } else {
                        final String address = response.getSection(Section.ANSWER).getFirst().rdataToString();
                        assertTrue(address.equals("10.96.0.1") || address.equals("10.96.0.2"), address);
                        seen.add(address);
                    }
                }
            } finally {
                running.set(false);
                flipper.join(2_000);
            }
            assertTrue(seen.size() >= 2, "both zones were seen: " + seen);
        }
    }
}
