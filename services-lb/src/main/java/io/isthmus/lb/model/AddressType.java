package io.isthmus.lb.model;

/** {@code EndpointSlice.addressType}. Kube-proxy ignores FQDN slices; so does the compiler. */
public enum AddressType {
    IPV4,
    IPV6,
    FQDN
}
