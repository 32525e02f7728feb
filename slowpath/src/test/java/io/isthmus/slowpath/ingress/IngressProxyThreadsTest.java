package io.isthmus.slowpath.ingress;

import io.isthmus.slowpath.ingress.proxy.IngressProxy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How many event loops the proxy runs: as many as asked, or one per core (not Netty's two per core). */
class IngressProxyThreadsTest {

    @Test
    void zeroThreadsMeansOneEventLoopPerCore() {
        try (IngressProxy proxy = IngressProxy.start(IngressSettings.defaults().withPorts("127.0.0.1", 0, -1).withThreads(0))) {
            assertEquals(Runtime.getRuntime().availableProcessors(), proxy.eventLoops());
        }
    }

    @Test
    void anExplicitCountIsKept() {
        try (IngressProxy proxy = IngressProxy.start(IngressSettings.defaults().withPorts("127.0.0.1", 0, -1).withThreads(3))) {
            assertEquals(3, proxy.eventLoops());
        }
    }
}
