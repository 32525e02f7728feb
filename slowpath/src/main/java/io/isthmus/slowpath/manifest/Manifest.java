package io.isthmus.slowpath.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.nio.file.Path;

/** One Kubernetes object read from a manifest directory, with where it came from. */
public record Manifest(HasMetadata object, Path file, int documentIndex) {

    /** {@code Kind namespace/name} (or {@code Kind name} for cluster-scoped objects). */
    public String describe() {
        return ManifestDirectory.describe(object.getKind(), object.getMetadata().getNamespace(), object.getMetadata().getName());
    }
}
