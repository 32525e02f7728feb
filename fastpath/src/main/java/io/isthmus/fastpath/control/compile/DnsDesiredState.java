package io.isthmus.fastpath.control.compile;

import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
import io.isthmus.dns.zone.ServiceKind;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;

import java.util.Map;
import java.util.TreeMap;

/**
 * The desired Service, EndpointSlice and Pod records of the cluster zone. dns-responder builds a
 * zone from all of them at once ({@link ZoneBuilder}); each build gets the next SOA serial, so
 * resolvers that compare serials see every generation as newer.
 *
 * <p>Only changes that alter names mark the zone for rebuilding: every Service change, but an
 * EndpointSlice only when its Service is headless and a Pod only with a hostname and a subdomain
 * naming a headless Service (at 10,000 Services a rebuild takes far longer than a lookup).
 * Services are keyed {@code namespace/name} as the slow path sends them.
 *
 * <p>Records are kept sorted by key so that the same desired state always gives the same zone,
 * whatever order the changes came in.
 *
 * <p><b>Thread-safety:</b> none; owned by the fast path's control agent.
 */
public final class DnsDesiredState {
    private final ZoneSettings settings;
    private final Map<String, ServiceRecord> services = new TreeMap<>();
    private final Map<String, EndpointSliceRecord> slices = new TreeMap<>();
    private final Map<String, PodRecord> pods = new TreeMap<>();
    private long serial;
    private boolean dirty;

    public DnsDesiredState(ZoneSettings settings) {
        this.settings = settings;
        this.serial = settings.serial() - 1;
        this.dirty = true; // the apex, dns-version and SOA exist before any Service
    }

    public boolean putService(String key, ServiceRecord record) {
        return mark(!record.equals(services.put(key, record)));
    }

    public boolean removeService(String key) {
        return mark(services.remove(key) != null);
    }

    /** A slice changes the zone only when its Service is headless (ClusterIP names do not list endpoints). */
    public boolean putSlice(String key, EndpointSliceRecord record) {
        final EndpointSliceRecord old = slices.put(key, record);
        return !record.equals(old) && mark(names(record) || (old != null && names(old)));
    }

    public boolean removeSlice(String key) {
        final EndpointSliceRecord old = slices.remove(key);
        return old != null && mark(names(old));
    }

    /** A Pod changes the zone only with a hostname and a subdomain naming a headless Service. */
    public boolean putPod(String key, PodRecord record) {
        final PodRecord old = pods.put(key, record);
        return !record.equals(old) && mark(names(record) || (old != null && names(old)));
    }

    public boolean removePod(String key) {
        final PodRecord old = pods.remove(key);
        return old != null && mark(names(old));
    }

    private boolean names(EndpointSliceRecord slice) {
        return headless(slice.namespace() + "/" + slice.serviceName());
    }

    private boolean names(PodRecord pod) {
        return !pod.hostname().isEmpty() && !pod.subdomain().isEmpty() && headless(pod.namespace() + "/" + pod.subdomain());
    }

    private boolean headless(String serviceKey) {
        final ServiceRecord service = services.get(serviceKey);
        return service != null && service.kind() == ServiceKind.HEADLESS;
    }

    public boolean dirty() {
        return dirty;
    }

    /** A new zone of everything desired now, with the next serial; clears {@link #dirty()}. */
    public Zone build() {
        dirty = false;
        serial++;
        final ZoneBuilder builder = new ZoneBuilder(new ZoneSettings(settings.domain(), settings.ttlSeconds(), serial, settings.podRecords()));
        services.values().forEach(builder::addService);
        slices.values().forEach(builder::addEndpointSlice);
        pods.values().forEach(builder::addPod);
        return builder.build();
    }

    private boolean mark(boolean changed) {
        dirty |= changed;
        return changed;
    }
}
