package io.isthmus.fastpath.stage;

import io.isthmus.dns.zone.EndpointRecord;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.ServicePort;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.testing.TestFrames;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster the DNS stage tests query: the DNS Service 10.96.0.10:53, a ClusterIP Service
 * {@code kubernetes.default} (10.96.0.1), {@code web.default} (10.96.0.20) and a headless
 * {@code big.default} with 50 ready endpoints (800 bytes of answers: more than 512, less than 1232).
 */
public final class DnsStageFixtures {
    public static final int DNS_SERVICE_IP = Ipv4Address.parse("10.96.0.10");
    public static final int DNS_PORT = 53;
    public static final int POD_PORT = 40000;

    private DnsStageFixtures() {
    }

    public static Zone zone() {
        final ZoneBuilder builder = new ZoneBuilder(new ZoneSettings("cluster.local", 30, 1));
        builder.addService(ServiceRecord.clusterIp("default", "kubernetes", List.of(InetAddress.ofLiteral("10.96.0.1")),
                List.of(new ServicePort("https", "TCP", 443))));
        builder.addService(ServiceRecord.clusterIp("kube-system", "kube-dns", List.of(InetAddress.ofLiteral("10.96.0.10")),
                List.of(new ServicePort("dns", "UDP", 53))));
        builder.addService(ServiceRecord.clusterIp("default", "web", List.of(InetAddress.ofLiteral("10.96.0.20")),
                List.of(new ServicePort("http", "TCP", 80))));
        final List<EndpointRecord> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(new EndpointRecord(List.of(InetAddress.ofLiteral("10.2.0." + (i + 1))), "", true));
        }
        builder.addService(ServiceRecord.headless("default", "big", List.of(), false));
        builder.addEndpointSlice(new EndpointSliceRecord("default", "big", List.of(), many));
        return builder.build();
    }

    /** A query message (id 0x1234, RD), without EDNS0. */
    public static byte[] query(String name, int type) {
        try {
            final Message message = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
            message.getHeader().setID(0x1234);
            return message.toWire();
        } catch (TextParseException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    /** The frame a pod with {@code podMac}/{@code podIp} sends to the DNS Service via the switch MAC. */
    public static byte[] queryFrame(long switchMac, long podMac, int podIp, byte[] dns) {
        return TestFrames.udpFrame(switchMac, podMac, podIp, DNS_SERVICE_IP, 64, POD_PORT, DNS_PORT, dns);
    }
}
