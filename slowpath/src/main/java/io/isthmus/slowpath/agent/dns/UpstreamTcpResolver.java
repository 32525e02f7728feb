package io.isthmus.slowpath.agent.dns;

import io.isthmus.slowpath.dns.DnsServer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * Names outside the cluster, asked over TCP (a pod's retry after the forwarder's truncated UDP
 * answer): the query is relayed as it came to the upstream nameservers over TCP (RFC 7766: two
 * length bytes, then the message), one at a time in resolv.conf order, each with its own timeout,
 * and the first answer whose id matches is returned as it came. When none answers, the client
 * gets SERVFAIL, as from a recursive resolver that could not reach its upstreams.
 *
 * <p><b>Thread-safety:</b> stateless; called from many connection threads at once.
 */
public final class UpstreamTcpResolver implements DnsServer.OutsideZone {
    private static final int HEADER_BYTES = 12;
    private static final int FLAG_QR = 0x8000;
    private static final int RCODE_SERVFAIL = 2;

    private final List<InetSocketAddress> upstreams;
    private final int attemptTimeoutMs;

    public UpstreamTcpResolver(List<InetSocketAddress> upstreams, Duration attemptTimeout) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("no upstream nameservers to forward to over TCP");
        }
        this.upstreams = List.copyOf(upstreams);
        this.attemptTimeoutMs = (int) Math.max(1, attemptTimeout.toMillis());
    }

    @Override
    public int answer(byte[] query, int offset, int length, byte[] response, int responseOffset) {
        if (length < HEADER_BYTES) {
            return 0;
        }
        final int id = u16(query, offset);
        for (InetSocketAddress upstream : upstreams) {
            final int answered = ask(upstream, query, offset, length, id, response, responseOffset);
            if (answered > 0) {
                return answered;
            }
        }
        return servfail(query, offset, length, response, responseOffset);
    }

    /** One upstream: the response's length, or 0 when it did not answer in time or answered something else. */
    private int ask(InetSocketAddress upstream, byte[] query, int offset, int length, int id, byte[] response, int responseOffset) {
        try (Socket socket = new Socket()) {
            socket.connect(upstream, attemptTimeoutMs);
            socket.setSoTimeout(attemptTimeoutMs);
            final OutputStream out = socket.getOutputStream();
            out.write(new byte[]{(byte) (length >>> 8), (byte) length});
            out.write(query, offset, length);
            out.flush();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final int responseLength = in.readUnsignedShort();
            if (responseLength < HEADER_BYTES || responseOffset + responseLength > response.length) {
                return 0;
            }
            in.readFully(response, responseOffset, responseLength);
            return u16(response, responseOffset) == id ? responseLength : 0;
        } catch (IOException e) {
            return 0; // refused, unreachable, timed out, cut short: the next upstream
        }
    }

    /** SERVFAIL with the query's question (a header and the question section are the query's own bytes). */
    private static int servfail(byte[] query, int offset, int length, byte[] response, int responseOffset) {
        final int questionEnd = questionEnd(query, offset, length);
        if (questionEnd < 0 || responseOffset + (questionEnd - offset) > response.length) {
            return 0;
        }
        final int copied = questionEnd - offset;
        System.arraycopy(query, offset, response, responseOffset, copied);
        final int flags = u16(query, offset + 2);
        putU16(response, responseOffset + 2, FLAG_QR | (flags & 0x7900) /* opcode, RD */ | 0x0080 /* RA */ | RCODE_SERVFAIL);
        putU16(response, responseOffset + 6, 0); // no answers
        putU16(response, responseOffset + 8, 0); // no authority
        putU16(response, responseOffset + 10, 0); // no additional (the query's OPT is not echoed)
        putU16(response, responseOffset + 4, Math.min(1, u16(query, offset + 4)));
        return copied;
    }

    /** The offset just past the first question, or -1 when the query is malformed. */
    private static int questionEnd(byte[] query, int offset, int length) {
        if (u16(query, offset + 4) == 0) {
            return offset + HEADER_BYTES;
        }
        int at = offset + HEADER_BYTES;
        final int end = offset + length;
        while (at < end) {
            final int label = query[at] & 0xFF;
            if (label == 0) {
                return at + 1 + 4 <= end ? at + 1 + 4 : -1; // root label, type, class
            }
            if ((label & 0xC0) != 0) {
                return -1; // a query's question is never compressed
            }
            at += 1 + label;
        }
        return -1;
    }

    private static int u16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
    }

    private static void putU16(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 8);
        bytes[at + 1] = (byte) value;
    }
}
