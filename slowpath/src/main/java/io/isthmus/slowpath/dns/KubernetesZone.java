package io.isthmus.slowpath.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;
import io.isthmus.slowpath.controlplane.EndpointSliceDerivation;
import io.isthmus.slowpath.k8s.DnsMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps fabric8 Services, EndpointSlices and Pods onto the dns-responder's records (with
 * {@link DnsMapper}, shared with the reconciler) and builds the zone. EndpointSlices are used as given; a Service with a selector and no slice gets slices
 * derived from its Pods ({@link EndpointSliceDerivation}). Objects that cannot be mapped (an
 * unparsable IP, a slice without its service-name label) are skipped and explained in
 * {@link Result#problems()}, together with the zone builder's warnings.
 *
 * <p>Thread-safety: stateless.
 */
public final class KubernetesZone {

    private KubernetesZone() {
    }

    /** The zone and what could not be published (each naming the object and the reason). */
    public record Result(Zone zone, List<String> problems) {
    }

    public static Result build(ZoneSettings settings, List<Service> services, List<EndpointSlice> slices, List<Pod> pods) {
        final List<String> problems = new ArrayList<>();
        final ZoneBuilder builder = new ZoneBuilder(settings);
        for (Service service : services) {
            final ServiceRecord record = DnsMapper.service(service, problems);
            if (record != null) {
                builder.addService(record);
            }
        }
        for (EndpointSlice slice : EndpointSliceDerivation.withDerivedSlices(services, slices, pods)) {
            final EndpointSliceRecord record = DnsMapper.slice(slice, problems);
            if (record != null) {
                builder.addEndpointSlice(record);
            }
        }
        for (Pod pod : pods) {
            final PodRecord record = DnsMapper.pod(pod, problems);
            if (record != null) {
                builder.addPod(record);
            }
        }
        final Zone zone = builder.build();
        problems.addAll(zone.warnings());
        return new Result(zone, problems);
    }
}
