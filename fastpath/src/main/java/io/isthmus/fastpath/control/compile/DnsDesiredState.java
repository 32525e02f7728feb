package io.isthmus.fastpath.control.compile;

import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
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

    public boolean putSlice(String key, EndpointSliceRecord record) {
        return mark(!record.equals(slices.put(key, record)));
    }

    public boolean removeSlice(String key) {
        return mark(slices.remove(key) != null);
    }

    public boolean putPod(String key, PodRecord record) {
        return mark(!record.equals(pods.put(key, record)));
    }

    public boolean removePod(String key) {
        return mark(pods.remove(key) != null);
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
