package io.isthmus.slowpath.ingress;

import io.isthmus.slowpath.ingress.proxy.IngressProxy;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every proxy case on loopback again, over Netty's io_uring transport (the opt-in
 * {@code -Disthmus.ingress.transport=io_uring}). Skipped, saying why, where the kernel refuses
 * io_uring (too old, or {@code kernel.io_uring_disabled}).
 */
class IngressProxyIoUringTest extends IngressProxyLoopbackTest {

    @Override
    protected void prepare() {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable here: " + IoUring.unavailabilityCause());
    }

    @Override
    protected IngressProxy startProxy(IngressSettings settings) {
        return IngressProxy.start(settings, "io_uring");
    }

    @Test
    void theProxyRunsOnIoUringWithOneListeningSocketPerEventLoop() {
        assertEquals("io_uring", proxy().transport());
        assertEquals(2, proxy().listeningSockets(), "2 event loops x HTTP, SO_REUSEPORT on one port");
    }

    @Override
    @Test
    void ipv4AddressesGetIpv4SocketsNotMappedIpv6Ones() {
        Assumptions.abort("Netty's io_uring channels cannot be given the address family: their sockets are dual-stack IPv6 ones");
    }
}
