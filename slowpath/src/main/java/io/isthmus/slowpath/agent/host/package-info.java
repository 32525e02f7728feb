/**
 * The node's host port: the veth pair that joins the host's own network namespace to the fast
 * path (the pod CIDR route on the host end, the other end attached as the fast path's port of
 * kind HOST). See {@link io.isthmus.slowpath.agent.host.HostPort}.
 */
package io.isthmus.slowpath.agent.host;
