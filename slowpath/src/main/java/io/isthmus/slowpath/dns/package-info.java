/**
 * The cluster DNS on the slow path: {@link io.isthmus.slowpath.dns.KubernetesZone} maps fabric8
 * Services, EndpointSlices and Pods onto the dns-responder's records (deriving slices for
 * selector Services that have none, through {@code io.isthmus.slowpath.controlplane});
 * {@link io.isthmus.slowpath.dns.ZoneFromManifests} does it for a directory of YAML;
 * {@link io.isthmus.slowpath.dns.DnsServer} serves a zone over UDP (recvmmsg/sendmmsg through
 * FFM on Linux, {@link io.isthmus.slowpath.dns.MmsgUdpSocket}, or NIO) and TCP, answering with
 * the dns-responder's {@code AnswerEngine} in place in its buffers. Names outside the cluster
 * domain are REFUSED: forwarding belongs to the agent's upstream forwarder (later).
 */
package io.isthmus.slowpath.dns;
