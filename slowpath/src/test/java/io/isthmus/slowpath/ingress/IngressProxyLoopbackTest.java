package io.isthmus.slowpath.ingress;

import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The proxy cases with echo backends on loopback (no root needed). */
class IngressProxyLoopbackTest extends IngressProxyCases {

    /** The default transport: io_uring where the kernel offers it, else epoll, saying why. */
    @Test
    void theProxyRunsOnItsTransportWithOneListeningSocketPerEventLoop() {
        assertEquals(IoUring.isAvailable() ? "io_uring" : "epoll (io_uring unavailable: " + IoUring.unavailabilityCause() + ")",
                proxy().transport());
        assertEquals(2, proxy().listeningSockets(), "2 event loops x HTTP, SO_REUSEPORT on one port");
    }

    @Override
    protected EchoBackend startBackend(String name, int index) {
        return EchoBackend.start(name, new InetSocketAddress("127.0.0.1", 0));
    }

    @Override
    protected InetSocketAddress deadEndpoint() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort()); // closed again: connections are refused
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected InetSocketAddress silentEndpoint() throws IOException {
        final ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()); // never accept()s
        closeLater(socket);
        return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    }

    @Override
    protected InetSocketAddress oneAnswerEndpoint() throws IOException {
        final OneAnswerBackend backend = OneAnswerBackend.start(new InetSocketAddress("127.0.0.1", 0));
        closeLater(backend);
        return backend.address();
    }
}
