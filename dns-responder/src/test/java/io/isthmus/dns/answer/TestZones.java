package io.isthmus.dns.answer;

import io.isthmus.dns.zone.EndpointRecord;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
import io.isthmus.dns.zone.ServicePort;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** The zone the answer tests query: one of each kind of Service. */
final class TestZones {
    private TestZones() {
    }

    static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    static Zone standard() {
        return standard(new ZoneSettings("cluster.local", 30, 7));
    }

    static Zone standard(ZoneSettings settings) {
        final ZoneBuilder builder = new ZoneBuilder(settings);
        builder.addService(ServiceRecord.clusterIp("default", "kubernetes", List.of(ip("10.96.0.1")),
                List.of(new ServicePort("https", "TCP", 443))));
        builder.addService(ServiceRecord.clusterIp("kube-system", "Dual", List.of(ip("10.96.0.10"), ip("fd00::10")),
                List.of(new ServicePort("dns", "UDP", 53), new ServicePort("", "TCP", 8080))));
        builder.addService(ServiceRecord.headless("default", "headless", List.of(new ServicePort("http", "TCP", 80)), false));
        builder.addEndpointSlice(new EndpointSliceRecord("default", "headless", List.of(new ServicePort("http", "TCP", 8080)), List.of(
                new EndpointRecord(List.of(ip("10.1.0.1")), "my-pet", true),
                new EndpointRecord(List.of(ip("10.1.0.2")), "", true),
                new EndpointRecord(List.of(ip("10.1.0.3")), "sleepy", false))));
        builder.addService(ServiceRecord.headless("default", "unready", List.of(), true));
        builder.addEndpointSlice(new EndpointSliceRecord("default", "unready", List.of(), List.of(
                new EndpointRecord(List.of(ip("10.1.1.1")), "", false))));
        builder.addService(ServiceRecord.headless("default", "empty", List.of(), false));
        builder.addService(ServiceRecord.externalName("default", "ext", "www.example.com."));
        builder.addPod(new PodRecord("default", "web-0", List.of(ip("10.1.0.9")), "web-0", "headless", true));
        builder.addPod(new PodRecord("default", "web-1", List.of(ip("10.1.0.10")), "web-1", "headless", false));
        final List<EndpointRecord> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(new EndpointRecord(List.of(ip("10.2." + (i / 250) + "." + (i % 250 + 1))), "", true));
        }
        builder.addService(ServiceRecord.headless("default", "big", List.of(), false));
        builder.addEndpointSlice(new EndpointSliceRecord("default", "big", List.of(new ServicePort("http", "TCP", 80)), many));
        return builder.build();
    }
}
