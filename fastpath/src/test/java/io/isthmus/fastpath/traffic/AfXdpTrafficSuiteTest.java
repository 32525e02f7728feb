package io.isthmus.fastpath.traffic;

/**
 * The frame-level traffic suite over real AF_XDP ports: pods in network namespaces, the worker
 * on the host ends of their veths, packet sockets playing the pods. Root + AF_XDP only.
 */
class AfXdpTrafficSuiteTest extends TrafficSuite {
    @Override
    protected PodNetwork openNetwork() throws Exception {
        return new AfXdpPodNetwork();
    }
}
