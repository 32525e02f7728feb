package io.isthmus.slowpath.ingress.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;

import java.util.List;

/** Everything one compilation reads: a consistent copy of the informers' caches (or of a YAML directory). */
public record IngressInputs(List<Ingress> ingresses, List<IngressClass> ingressClasses, List<Service> services,
                            List<EndpointSlice> endpointSlices, List<Secret> secrets) {
}
