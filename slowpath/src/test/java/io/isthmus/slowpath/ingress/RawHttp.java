package io.isthmus.slowpath.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte, for tests: any Host header, malformed requests,
 * several requests on one connection. Responses are delimited by Content-Length or chunked.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** A response as read: status, headers (names lower case), body. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public RawHttp(Socket socket) {
        try {
            this.socket = socket;
            socket.setSoTimeout(10_000);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RawHttp connect(InetSocketAddress address) {
        try {
            final Socket socket = new Socket();
            socket.connect(address, 5_000);
            return new RawHttp(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + address, e);
        }
    }

    /** GET {@code target} with {@code Host: host}, on this connection. */
    public Response get(String host, String target) {
        return exchange("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: isthmus-test\r\n\r\n");
    }

    /** Sends {@code raw} as is and reads one response. */
    public Response exchange(String raw) {
        send(raw);
        return read();
    }

    public void send(String raw) {
        try {
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Response read() {
        try {
            final String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before a response");
            }
            final int status = Integer.parseInt(statusLine.split(" ")[1]);
            final Map<String, String> headers = new LinkedHashMap<>();
            String line;
            while ((line = line()) != null && !line.isEmpty()) {
                final int colon = line.indexOf(':');
                headers.merge(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
            }
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                final ByteArrayOutputStream body = new ByteArrayOutputStream();
                int size;
                while ((size = Integer.parseInt(line().split(";")[0].strip(), 16)) > 0) {
                    body.writeBytes(in.readNBytes(size));
                    line(); // CRLF after the chunk
                }
                while ((line = line()) != null && !line.isEmpty()) {
                    // trailers: none expected
                }
                return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
            }
            final int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            final byte[] body = in.readNBytes(length);
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the peer closed the connection (reads EOF within the socket timeout). */
    public boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() throws IOException {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                final String text = buffer.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            buffer.write(b);
        }
        return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket: nothing to do
        }
    }
}
