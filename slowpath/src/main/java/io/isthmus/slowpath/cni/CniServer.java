package io.isthmus.slowpath.cni;

import io.isthmus.cni.shim.CniWire;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The agent's end of the CNI relay: a unix socket that only root can use (directory 0700, socket
 * 0600). Each connection is read on a virtual thread, so a slow shim delays no one; the requests
 * themselves run one at a time on a single thread, the only writer of addresses and interfaces.
 */
public final class CniServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CniServer.class.getName());
    private static final long REQUEST_TIMEOUT_SECONDS = 60;

    private final Path socketPath;
    private final CniHandler handler;
    private final ServerSocketChannel server;
    private final ExecutorService requests = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("isthmus-cni").daemon().unstarted(r));
    private final Thread acceptor;

    private CniServer(Path socketPath, CniHandler handler, ServerSocketChannel server) {
        this.socketPath = socketPath;
        this.handler = handler;
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("isthmus-cni-accept").daemon().start(this::acceptLoop);
    }

    /** Listens on {@code socketPath}, replacing a stale socket file left by a previous agent. */
    public static CniServer start(Path socketPath, CniHandler handler) throws IOException {
        final Path directory = socketPath.toAbsolutePath().getParent();
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.deleteIfExists(socketPath);
        final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
        return new CniServer(socketPath, handler, server);
    }

    public Path socketPath() {
        return socketPath;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                final SocketChannel connection = server.accept();
                Thread.ofVirtual().name("isthmus-cni-conn").start(() -> serve(connection));
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "CNI accept failed", "error", e.getMessage());
            }
        }
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            final CniWire.Request request = CniWire.readRequest(new DataInputStream(new BufferedInputStream(Channels.newInputStream(connection))));
            final Future<CniWire.Response> response = requests.submit(() -> handler.handle(request.environment(), request.stdin()));
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(connection)));
            CniWire.writeResponse(out, response.get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "CNI request failed", e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        requests.shutdown();
        try {
            acceptor.join(1000);
            requests.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socketPath);
    }
}
