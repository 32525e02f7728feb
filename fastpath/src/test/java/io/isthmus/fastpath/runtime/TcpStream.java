package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.testing.Pod;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A TCP stream from one pod to another that keeps flowing until closed: the sender writes a
 * counting byte pattern, the receiver checks every byte against it. {@link #assertWhole()} stops
 * the sender and checks that every byte sent arrived, in order, with progress all along.
 *
 * <p><b>Thread-safety:</b> start and close from the test thread; the two ends run on their own
 * threads (inside their pods' namespaces).
 */
public final class TcpStream implements AutoCloseable {
    /** One end: a network namespace with an address, whose sockets a thread inside it opens. */
    public interface Side {
        String ip();

        <T> T callInside(java.util.concurrent.Callable<T> body) throws Exception;

        /** A test {@link Pod} as a side. */
        static Side of(Pod pod) {
            return new Side() {
                @Override
                public String ip() {
                    return pod.ip();
                }

                @Override
                public <T> T callInside(java.util.concurrent.Callable<T> body) throws Exception {
                    return pod.callInside(body);
                }

                @Override
                public String toString() {
                    return pod.toString();
                }
            };
        }
    }

    /** Each end on its own thread (the common pool may have a single thread on a small machine). */
    private static final java.util.concurrent.Executor OWN_THREAD = task -> Thread.ofPlatform().daemon().start(task);

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong received = new AtomicLong();
    private final CompletableFuture<Long> sent;
    private final CompletableFuture<Long> check;
    private final ServerSocket server;

    private TcpStream(ServerSocket server, Side from, Side to, int port) {
        this.server = server;
        this.check = CompletableFuture.supplyAsync(this::receive, OWN_THREAD);
        this.sent = CompletableFuture.supplyAsync(() -> {
            try {
                return from.callInside(() -> send(to, port));
            } catch (Exception e) {
                throw new IllegalStateException("sender in " + from + " failed", e);
            }
        }, OWN_THREAD);
    }

    /** Starts a stream from {@code from} to {@code to}:{@code port}. */
    public static TcpStream start(Pod from, Pod to, int port) throws Exception {
        return start(Side.of(from), Side.of(to), port);
    }

    /** Starts a stream from {@code from} to {@code to}:{@code port}. */
    public static TcpStream start(Side from, Side to, int port) throws Exception {
        final ServerSocket server = to.callInside(() -> new ServerSocket(port, 1, InetAddress.getByName(to.ip())));
        server.setSoTimeout(30_000);
        return new TcpStream(server, from, to, port);
    }

    /** Bytes the receiver has checked so far (any thread). */
    public long receivedBytes() {
        return received.get();
    }

    private long send(Side to, int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(to.ip(), port), 10_000);
            final OutputStream out = s.getOutputStream();
            final byte[] chunk = new byte[16 * 1024];
            long total = 0;
            while (!stop.get()) {
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = (byte) (total + i);
                }
                out.write(chunk);
                total += chunk.length;
                Thread.sleep(1); // a steady stream, not a flood: the machine is shared
            }
            return total;
        }
    }

    private long receive() {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
            s.setSoTimeout(30_000);
            final byte[] buffer = new byte[64 * 1024];
            long offset = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != (byte) (offset + i)) {
                        throw new IllegalStateException("byte " + (offset + i) + " is wrong");
                    }
                }
                offset += n;
                received.set(offset);
            }
            return offset;
        } catch (Exception e) {
            throw new IllegalStateException("receiver failed after " + received.get() + " bytes", e);
        }
    }

    /** Waits until the receiver checked at least {@code bytes} (at most {@code timeoutSeconds}). */
    public void awaitReceived(long bytes, long timeoutSeconds) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (received.get() < bytes) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stream carried " + received.get() + " bytes, wanted " + bytes);
            }
            if (check.isDone() || sent.isDone()) {
                throw new AssertionError("the stream ended early after " + received.get() + " bytes: "
                        + (check.isCompletedExceptionally() ? check.exceptionNow() : sent.exceptionNow()));
            }
            Thread.sleep(20);
        }
    }

    /** Stops the sender and asserts that everything it sent arrived intact (after some real progress). */
    public void assertWhole() throws Exception {
        stop.set(true);
        final long total = sent.get(30, TimeUnit.SECONDS);
        assertTrue(total > 0, "the sender sent nothing");
        assertEquals(total, (long) check.get(30, TimeUnit.SECONDS), "bytes sent vs received in order");
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
        server.close();
    }
}
