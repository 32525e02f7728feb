package io.isthmus.fastpath.traffic;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The traffic suite over pcap ports: each pod's wire is a pair of pcap files followed as they grow. */
class PcapTrafficTest extends TrafficSuite {
    @TempDir
    Path dir;

    @Override
    protected PodNetwork openNetwork() throws Exception {
        return new PcapPodNetwork(dir);
    }
}
