/**
 * The cluster DNS on the slow path: {@link io.isthmus.slowpath.dns.KubernetesZone} maps fabric8
 * Services, EndpointSlices and Pods onto the dns-responder's records (deriving slices for
 * selector Services that have none, through {@code io.isthmus.slowpath.controlplane});
 * {@link io.isthmus.slowpath.dns.ZoneFromManifests} does it for a directory of YAML;
 * {@link io.isthmus.slowpath.dns.DnsServer} serves a zone over UDP (recvmmsg/sendmmsg through
 * FFM on Linux, {@link io.isthmus.slowpath.dns.MmsgUdpSocket}, or NIO) and TCP, answering with
 * the dns-responder's {@code AnswerEngine} in place in its buffers (names outside the cluster
 * domain are REFUSED there). {@link io.isthmus.slowpath.dns.DnsForwarder} answers what the fast
 * path's DNS stage punts (names outside the cluster) from the upstream resolvers of
 * {@link io.isthmus.slowpath.dns.ResolvConf}, with a TTL cache, and injects the reply frames.
 */
package io.isthmus.slowpath.dns;
