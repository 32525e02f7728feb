package io.isthmus.slowpath.ingress;

import io.isthmus.slowpath.ingress.proxy.IngressProxy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every proxy case on loopback again, over Netty's epoll transport: what the proxy runs on where
 * the kernel or a seccomp profile refuses io_uring (the default), or with
 * {@code -Disthmus.ingress.transport=epoll}.
 */
class IngressProxyEpollTest extends IngressProxyLoopbackTest {

    @Override
    protected IngressProxy startProxy(IngressSettings settings) {
        return IngressProxy.start(settings, "epoll");
    }

    @Override
    @Test
    void theProxyRunsOnItsTransportWithOneListeningSocketPerEventLoop() {
        assertEquals("epoll", proxy().transport());
        assertEquals(2, proxy().listeningSockets(), "2 event loops x HTTP, SO_REUSEPORT on one port");
    }
}
