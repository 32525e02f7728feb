package io.isthmus.slowpath.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.isthmus.dns.zone.ZoneSettings;
import io.isthmus.slowpath.manifest.ManifestDirectory;
import io.isthmus.slowpath.manifest.ManifestError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The zone of a directory of ordinary Kubernetes YAML (Services, EndpointSlices, Pods; other
 * kinds are ignored). Documents that could not be read become problems, like objects that could
 * not be published; the zone holds everything else.
 */
public final class ZoneFromManifests {

    private ZoneFromManifests() {
    }

    public static KubernetesZone.Result load(Path directory, ZoneSettings settings) {
        final ManifestDirectory manifests = ManifestDirectory.load(directory);
        final KubernetesZone.Result result = KubernetesZone.build(settings, manifests.ofType(Service.class),
                manifests.ofType(EndpointSlice.class), manifests.ofType(Pod.class));
        final List<String> problems = new ArrayList<>();
        for (ManifestError error : manifests.errors()) {
            problems.add(error.toString());
        }
        problems.addAll(result.problems());
        return new KubernetesZone.Result(result.zone(), problems);
    }
}
