package io.isthmus.slowpath.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A backend that answers the first request of each connection (200, keep-alive, the request body
 * echoed) and closes the connection, unanswered, when a second request arrives on it: what a pod
 * does that drops idle keep-alive connections just as the proxy reuses one. Tests the proxy's
 * one retry on a new connection (idempotent methods) and its 502 otherwise.
 */
final class OneAnswerBackend implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;

    private OneAnswerBackend(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("one-answer").start(this::accept);
    }

    /** Binds {@code address} in the calling thread's network namespace. */
    static OneAnswerBackend start(InetSocketAddress address) throws IOException {
        final ServerSocket server = new ServerSocket();
        server.bind(address, 50);
        return new OneAnswerBackend(server);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                final Socket socket = server.accept();
                Thread.ofPlatform().daemon().start(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            final InputStream in = socket.getInputStream();
            final byte[] body = readRequest(in);
            final byte[] answer = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: keep-alive\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            final OutputStream out = socket.getOutputStream();
            out.write(answer);
            out.write(body);
            out.flush();
            readRequest(in); // the second request: closed without an answer
        } catch (IOException e) {
            // the proxy closed first: nothing to do
        }
    }

    private static byte[] readRequest(InputStream in) throws IOException {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            final String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                int length = 0;
                for (String line : text.split("\r\n")) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                return in.readNBytes(length);
            }
        }
        throw new IOException("closed");
    }

    @Override
    public void close() throws Exception {
        server.close();
        acceptor.join(5_000);
    }
}
