package io.isthmus.slowpath.up;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The resolv.conf each pod of {@code isthmus up} gets: kubelet's ClusterFirst layout. */
class UpPodResolvConfTest {

    @Test
    void namesTheClusterDnsAndSearchesThePodsNamespaceFirst() {
        assertEquals("""
                nameserver 10.96.0.10
                search web.svc.cluster.local svc.cluster.local cluster.local
                options ndots:5
                """, PodResolvConf.text("10.96.0.10", "web"));
    }

    @Test
    void livesWhereIpNetnsExecBindMountsIt() {
        assertEquals(Path.of("/etc/netns/isthmus-web-echo-0/resolv.conf"), PodResolvConf.fileFor("isthmus-web-echo-0"));
    }
}
