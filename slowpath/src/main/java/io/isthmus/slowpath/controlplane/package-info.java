/**
 * Control-plane logic Isthmus runs itself where no Kubernetes controller does (offline commands,
 * the agent's embedded mode): {@link io.isthmus.slowpath.controlplane.EndpointSliceDerivation}
 * derives EndpointSlices from Pods as the endpoint-slice controller would. Pure functions over
 * fabric8 objects; no API server is read or written here.
 */
package io.isthmus.slowpath.controlplane;
