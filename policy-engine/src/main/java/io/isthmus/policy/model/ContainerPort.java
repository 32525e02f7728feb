package io.isthmus.policy.model;

/** A port a pod's container declares ({@code spec.containers[].ports[]}); {@code name} may be null. */
public record ContainerPort(String name, Protocol protocol, int port) {
}
