package io.isthmus.fastpath.traffic;

/** The traffic suite over in-memory ports. */
class InMemoryTrafficTest extends TrafficSuite {
    @Override
    protected PodNetwork openNetwork() {
        return new InMemoryPodNetwork();
    }
}
