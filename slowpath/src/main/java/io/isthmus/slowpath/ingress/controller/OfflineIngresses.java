package io.isthmus.slowpath.ingress.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.isthmus.slowpath.manifest.ManifestDirectory;
import io.isthmus.slowpath.manifest.ManifestError;

import java.nio.file.Path;
import java.util.List;

/**
 * The Ingresses of a directory of ordinary YAML, compiled as the controller compiles the
 * cluster's: for {@code isthmus ingress route} and {@code isthmus ingress serve}.
 *
 * <p>When the directory holds no IngressClass at all, every Ingress in it is served (there is
 * nothing to tell Isthmus's from another controller's); {@link #everyIngressServed()} says so.
 */
public record OfflineIngresses(CompiledIngresses compiled, IngressInputs inputs, boolean everyIngressServed) {

    /** Thrown when the directory has documents that are not valid Kubernetes objects. */
    public static final class InvalidManifests extends IllegalArgumentException {
        private final List<ManifestError> errors;

        InvalidManifests(List<ManifestError> errors) {
            super(errors.getFirst().toString() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
            this.errors = errors;
        }

        public List<ManifestError> errors() {
            return errors;
        }
    }

    /** Loads and compiles {@code dir} for {@code controller}. Throws {@link InvalidManifests} on bad YAML. */
    public static OfflineIngresses load(Path dir, String controller) {
        final ManifestDirectory manifests = ManifestDirectory.load(dir);
        if (!manifests.errors().isEmpty()) {
            throw new InvalidManifests(manifests.errors());
        }
        final IngressInputs inputs = new IngressInputs(manifests.ofType(Ingress.class), manifests.ofType(IngressClass.class),
                manifests.ofType(Service.class), manifests.ofType(EndpointSlice.class), manifests.ofType(Secret.class));
        final boolean everything = inputs.ingressClasses().isEmpty();
        final IngressClassPolicy policy = everything ? IngressClassPolicy.everything() : IngressClassPolicy.of(controller, inputs.ingressClasses());
        return new OfflineIngresses(IngressCompiler.compile(inputs, policy), inputs, everything);
    }
}
