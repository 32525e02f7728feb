package io.isthmus.slowpath.cni;

import io.isthmus.cni.shim.CniErrorJson;
import io.isthmus.cni.shim.CniVersions;
import io.isthmus.cni.shim.CniWire;
import io.isthmus.slowpath.net.AcceptLoop;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's end of the CNI relay: a unix socket that only root can use (directory 0700, socket
 * 0600). Each connection is read on a virtual thread, so a slow shim delays no one; the requests
 * themselves run one at a time on a single thread, the only writer of addresses and interfaces.
 *
 * <p>A request not answered within the request timeout (60 s; counted from when it was read, so
 * waiting behind a slow one counts) gets the CNI "try again later" error (code 11) saying it timed
 * out: the runtime retries ADD, or its DEL cleans up. If it was still queued it is dropped and never
 * runs; if it was running it is interrupted, which frees the request thread when the operation
 * honours interrupts. One that does not (a blocking syscall) keeps the thread until it returns, and
 * the requests behind it are answered "timed out" at their own deadlines meanwhile, never held
 * for ever. (The shim says "not reachable", also code 11, only when it cannot connect.)
 */
public final class CniServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CniServer.class.getName());
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Duration requestTimeout;
    private final Path socketPath;
    private final CniHandler handler;
    private final ServerSocketChannel server;
    private final ExecutorService requests = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("isthmus-cni").daemon().unstarted(r));
    private final Thread acceptor;

    private CniServer(Path socketPath, CniHandler handler, ServerSocketChannel server, Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        this.socketPath = socketPath;
        this.handler = handler;
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("isthmus-cni-accept").daemon().start(new AcceptLoop<>("CNI server", server::accept,
                connection -> Thread.ofVirtual().name("isthmus-cni-conn").start(() -> serve(connection)), server::isOpen));
    }

    /** Listens on {@code socketPath}, replacing a stale socket file left by a previous agent. */
    public static CniServer start(Path socketPath, CniHandler handler) throws IOException {
        return start(socketPath, handler, REQUEST_TIMEOUT);
    }

    /** As {@link #start(Path, CniHandler)}, answering "timed out" to a request not done within {@code requestTimeout}. */
    public static CniServer start(Path socketPath, CniHandler handler, Duration requestTimeout) throws IOException {
        final Path directory = socketPath.toAbsolutePath().getParent();
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.deleteIfExists(socketPath);
        final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
        return new CniServer(socketPath, handler, server, requestTimeout);
    }

    public Path socketPath() {
        return socketPath;
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            final CniWire.Request request = CniWire.readRequest(new DataInputStream(new BufferedInputStream(Channels.newInputStream(connection))));
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(connection)));
            CniWire.writeResponse(out, answer(request));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "CNI request failed", e);
        }
    }

    /**
     * The handler's response, or "timed out" (code 11, try again later) when it is not ready within
     * the request timeout, counted from when the request was read: time waiting behind another
     * request counts. A timed-out request that has not started never will (the runtime has been told
     * it failed and will retry or clean up); one that has started is interrupted.
     */
    private CniWire.Response answer(CniWire.Request request) {
        final AtomicBoolean started = new AtomicBoolean();
        final Future<CniWire.Response> response = requests.submit(() -> {
            started.set(true);
            return handler.handle(request.environment(), request.stdin());
        });
        try {
            return response.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            response.cancel(true);
            return timedOut(request, started.get());
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            return timedOut(request, started.get());
        } catch (ExecutionException e) { // the handler never throws; if it does, the runtime gets code 5
            LOG.log(System.Logger.Level.ERROR, "CNI handler failed", e.getCause());
            return failure(request, CniErrorJson.IO_FAILURE, "Isthmus agent internal error", String.valueOf(e.getCause()));
        }
    }

    private CniWire.Response timedOut(CniWire.Request request, boolean started) {
        final String command = request.environment().getOrDefault("CNI_COMMAND", "?");
        final String container = request.environment().getOrDefault("CNI_CONTAINERID", "?");
        final String message = "Isthmus agent timed out after " + requestTimeout.toMillis() + " ms on " + command
                + " of container " + container;
        final String details = started ? "the operation was still running; it was interrupted"
                : "it waited behind another request that had not finished; it was not started";
        LOG.log(System.Logger.Level.WARNING, message + ": " + details);
        return failure(request, CniErrorJson.TRY_AGAIN_LATER, message, details);
    }

    private static CniWire.Response failure(CniWire.Request request, int code, String message, String details) {
        final String json = CniErrorJson.of(CniVersions.requestVersion(request.stdin()), code, message, details);
        return new CniWire.Response(1, json.getBytes(StandardCharsets.UTF_8), new byte[0]);
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
