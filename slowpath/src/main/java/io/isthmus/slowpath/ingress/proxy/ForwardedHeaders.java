package io.isthmus.slowpath.ingress.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Header rewriting between client and backend: hop-by-hop headers (RFC 9110 section 7.6.1, and
 * any named in {@code Connection}) are dropped in both directions, and the request gains what
 * ingress-nginx sends: {@code X-Forwarded-For} (the client address appended to any list the
 * client sent), {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, {@code X-Forwarded-Port} and
 * {@code X-Real-IP}.
 *
 * <p><b>Thread-safety:</b> static methods, safe from any thread; the only state is each thread's
 * own memo of the last client address and local port it formatted.
 */
final class ForwardedHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, AsciiString.cached("keep-alive"),
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
            AsciiString.cached("proxy-connection"));
    private static final String HTTP2_EXTENSION_PREFIX = "x-http2-";

    private ForwardedHeaders() {
    }

    /** Removes hop-by-hop headers, and with {@code fromHttp2} the HTTP/2 codec's own {@code x-http2-*} headers. */
    static void dropHopByHop(HttpHeaders headers, boolean fromHttp2) {
        final String connection = headers.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            for (String token : connection.split(",")) {
                final String name = token.strip();
                if (!name.isEmpty()) {
                    headers.remove(name);
                }
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
        if (!fromHttp2) {
            return;
        }
        List<String> extensions = null;
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().regionMatches(true, 0, HTTP2_EXTENSION_PREFIX, 0, HTTP2_EXTENSION_PREFIX.length())) {
                extensions = extensions == null ? new ArrayList<>() : extensions;
                extensions.add(header.getKey());
            }
        }
        if (extensions != null) {
            extensions.forEach(headers::remove);
        }
    }

    static final AsciiString HTTP = AsciiString.cached("http");
    static final AsciiString HTTPS = AsciiString.cached("https");

    /**
     * The client's address as X-Forwarded-For and X-Real-IP write it (an AsciiString: computed once per
     * connection, and the encoder copies its bytes instead of converting a String char by char).
     * Each thread remembers the last address it formatted: consecutive connections from one address
     * (a load balancer, a node-local client) share one value instead of formatting it again.
     */
    static AsciiString clientIp(SocketAddress client) {
        if (!(client instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return UNKNOWN;
        }
        final LastFormatted last = LAST.get();
        final InetAddress address = inet.getAddress();
        if (!address.equals(last.address)) {
            last.address = address;
            last.addressText = new AsciiString(address.getHostAddress());
        }
        return last.addressText;
    }

    /** The local port as X-Forwarded-Port writes it, or null (remembered per thread, as {@link #clientIp}). */
    static AsciiString localPort(SocketAddress local) {
        if (!(local instanceof InetSocketAddress inet)) {
            return null;
        }
        final LastFormatted last = LAST.get();
        if (inet.getPort() != last.port || last.portText == null) {
            last.port = inet.getPort();
            last.portText = AsciiString.of(Integer.toString(inet.getPort()));
        }
        return last.portText;
    }

    private static final AsciiString UNKNOWN = AsciiString.cached("unknown");
    private static final FastThreadLocal<LastFormatted> LAST = new FastThreadLocal<>() {
        @Override
        protected LastFormatted initialValue() {
            return new LastFormatted();
        }
    };

    /** The last address and port one thread formatted. Thread-safety: one instance per thread ({@link #LAST}). */
    private static final class LastFormatted {
        InetAddress address;
        AsciiString addressText;
        int port = -1;
        AsciiString portText;
    }

    /** Adds the X-Forwarded-* headers for a request from {@code clientIp} arriving on {@code localPort} by {@code scheme}. */
    static void addForwarded(HttpHeaders headers, CharSequence clientIp, CharSequence localPort, CharSequence scheme, CharSequence host) {
        final String previous = headers.get(X_FORWARDED_FOR);
        headers.set(X_FORWARDED_FOR, previous == null || previous.isBlank() ? clientIp : previous + ", " + clientIp);
        headers.set(X_FORWARDED_PROTO, scheme);
        headers.set(X_REAL_IP, clientIp);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        }
        if (localPort != null) {
            headers.set(X_FORWARDED_PORT, localPort);
        }
    }
}
