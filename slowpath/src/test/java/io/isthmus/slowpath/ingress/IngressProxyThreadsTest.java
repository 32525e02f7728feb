package io.isthmus.slowpath.ingress;

import io.isthmus.slowpath.ingress.proxy.IngressProxy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How many event loops the proxy runs (as many as asked, or one per core, not Netty's two per core)
 * and how it listens: with io_uring or epoll one socket per loop and port, all on the same port, all answering.
 */
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

    @Test
    void withIoUringOrEpollEachEventLoopListensOnTheSamePort() throws IOException {
        try (IngressProxy proxy = IngressProxy.start(IngressSettings.defaults().withPorts("127.0.0.1", 0, 0).withThreads(3))) {
            assumeTrue(!proxy.transport().startsWith("nio"), "one socket per loop needs SO_REUSEPORT (io_uring or epoll); transport is " + proxy.transport());
            assertEquals(6, proxy.listeningSockets(), "3 loops x (HTTP, HTTPS)");
            for (int i = 0; i < 30; i++) { // the kernel spreads these over the three sockets: each one must answer
                try (Socket socket = new Socket("127.0.0.1", proxy.httpPort())) {
                    socket.setSoTimeout(5_000);
                    final OutputStream out = socket.getOutputStream();
                    out.write("GET / HTTP/1.1\r\nHost: nothing.example\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    final InputStream in = socket.getInputStream();
                    final String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                    assertTrue(answer.startsWith("HTTP/1.1 404"), "connection " + i + ": " + answer);
                }
            }
        }
    }

    @Test
    void aPortAnotherProxyListensOnIsRefusedNotShared() {
        try (IngressProxy first = IngressProxy.start(IngressSettings.defaults().withPorts("127.0.0.1", 0, -1).withThreads(2))) {
            final int port = first.httpPort();
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> IngressProxy.start(IngressSettings.defaults().withPorts("127.0.0.1", port, -1).withThreads(2)).close());
            assertTrue(refused.getMessage().contains("cannot listen on 127.0.0.1:" + port), refused.getMessage());
        }
    }
}
