package io.isthmus.slowpath.dns;

import io.isthmus.dns.wire.DnsHeaderDescriptor;
import io.isthmus.dns.wire.NameReader;
import io.isthmus.dns.wire.Rcode;
import io.isthmus.dns.wire.RecordType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What the forwarder reads and changes in whole DNS messages (byte arrays): how long a response
 * may be cached (RFC 2181 section 8 for answers, RFC 2308 section 5 for negative answers), aging
 * its TTLs when served from the cache, and the responses it makes itself (SERVFAIL, truncated).
 */
final class DnsMessages {
    /** Not cacheable. */
    static final long NO_CACHE = -1;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private DnsMessages() {
    }

    static int u16(MemorySegment message, long at) {
        return message.get(U16, at) & 0xFFFF;
    }

    static void u16(byte[] message, int at, int value) {
        MemorySegment.ofArray(message).set(U16, at, (short) value);
    }

    static int id(byte[] message) {
        return u16(MemorySegment.ofArray(message), DnsHeaderDescriptor.ID_OFFSET);
    }

    static void id(byte[] message, int id) {
        MemorySegment.ofArray(message).set(U16, DnsHeaderDescriptor.ID_OFFSET, (short) id);
    }

    static int rcode(byte[] message) {
        return u16(MemorySegment.ofArray(message), DnsHeaderDescriptor.FLAGS_OFFSET) & DnsHeaderDescriptor.RCODE_MASK;
    }

    /**
     * Seconds {@code response} may be cached, or {@link #NO_CACHE}: NOERROR with answers: the
     * smallest TTL of the answer section; NXDOMAIN, or NOERROR without answers (NODATA): the SOA of
     * the authority section, min(its TTL, its MINIMUM); no SOA, other rcodes, TC set or a malformed
     * message: not cached. At most {@code maxTtlSeconds}; 0 is not cached either.
     */
    static long cacheSeconds(byte[] response, int maxTtlSeconds) {
        final MemorySegment message = MemorySegment.ofArray(response);
        final int length = response.length;
        if (length < DnsHeaderDescriptor.LENGTH_BYTES) {
            return NO_CACHE;
        }
        final int flags = u16(message, DnsHeaderDescriptor.FLAGS_OFFSET);
        final int rcode = flags & DnsHeaderDescriptor.RCODE_MASK;
        if ((flags & DnsHeaderDescriptor.FLAG_TC) != 0 || (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN)) {
            return NO_CACHE;
        }
        final int answers = u16(message, DnsHeaderDescriptor.ANCOUNT_OFFSET);
        final int authorities = u16(message, DnsHeaderDescriptor.NSCOUNT_OFFSET);
        long cursor = skipQuestions(message, length);
        if (cursor < 0) {
            return NO_CACHE;
        }
        final boolean negative = rcode == Rcode.NXDOMAIN || answers == 0;
        long ttl = Long.MAX_VALUE;
        for (int i = 0; i < answers + authorities; i++) {
            final long afterName = NameReader.skip(message, 0, length, cursor);
            if (afterName < 0 || afterName + 10 > length) {
                return NO_CACHE;
            }
            final int type = u16(message, afterName);
            final long recordTtl = message.get(U32, afterName + 4) & 0xFFFF_FFFFL;
            final int rdLength = u16(message, afterName + 8);
            final long next = afterName + 10 + rdLength;
            if (next > length) {
                return NO_CACHE;
            }
            if (!negative && i < answers) {
                ttl = Math.min(ttl, recordTtl);
            } else if (negative && i >= answers && type == RecordType.SOA && rdLength >= 20) {
                final long minimum = message.get(U32, next - 4) & 0xFFFF_FFFFL;
                ttl = Math.min(ttl, Math.min(recordTtl, minimum));
            }
            cursor = next;
        }
        if (ttl == Long.MAX_VALUE || ttl == 0) {
            return NO_CACHE;
        }
        return Math.min(ttl, maxTtlSeconds);
    }

    /** Lowers every TTL (all sections except OPT) by {@code elapsedSeconds}, not below 0. False when malformed. */
    static boolean age(byte[] response, long elapsedSeconds) {
        final MemorySegment message = MemorySegment.ofArray(response);
        final int length = response.length;
        final int records = u16(message, DnsHeaderDescriptor.ANCOUNT_OFFSET) + u16(message, DnsHeaderDescriptor.NSCOUNT_OFFSET)
                + u16(message, DnsHeaderDescriptor.ARCOUNT_OFFSET);
        long cursor = skipQuestions(message, length);
        if (cursor < 0) {
            return false;
        }
        for (int i = 0; i < records; i++) {
            final long afterName = NameReader.skip(message, 0, length, cursor);
            if (afterName < 0 || afterName + 10 > length) {
                return false;
            }
            if (u16(message, afterName) != RecordType.OPT) {
                final long ttl = message.get(U32, afterName + 4) & 0xFFFF_FFFFL;
                message.set(U32, afterName + 4, (int) Math.max(0, ttl - elapsedSeconds));
            }
            cursor = afterName + 10 + u16(message, afterName + 8);
            if (cursor > length) {
                return false;
            }
        }
        return true;
    }

    /** After the question section, or -1. */
    private static long skipQuestions(MemorySegment message, int length) {
        long cursor = DnsHeaderDescriptor.LENGTH_BYTES;
        final int questions = u16(message, DnsHeaderDescriptor.QDCOUNT_OFFSET);
        for (int i = 0; i < questions; i++) {
            cursor = NameReader.skip(message, 0, length, cursor);
            if (cursor < 0 || cursor + 4 > length) {
                return -1;
            }
            cursor += 4;
        }
        return cursor;
    }

    /**
     * A response made of the query's header and question only: QR, RA and {@code extraFlags} set,
     * RD and CD kept from the query, the given rcode, no records. For SERVFAIL (upstream timeout)
     * and for a response too large for the client (TC, empty).
     */
    static byte[] headerAndQuestion(byte[] query, int questionEnd, int extraFlags, int rcode) {
        final byte[] response = java.util.Arrays.copyOf(query, questionEnd);
        final MemorySegment message = MemorySegment.ofArray(response);
        final int queryFlags = u16(message, DnsHeaderDescriptor.FLAGS_OFFSET);
        final int flags = DnsHeaderDescriptor.FLAG_QR | DnsHeaderDescriptor.FLAG_RA | extraFlags
                | (queryFlags & (DnsHeaderDescriptor.FLAG_RD | DnsHeaderDescriptor.FLAG_CD)) | (rcode & DnsHeaderDescriptor.RCODE_MASK);
        message.set(U16, DnsHeaderDescriptor.FLAGS_OFFSET, (short) flags);
        message.set(U16, DnsHeaderDescriptor.QDCOUNT_OFFSET, (short) 1);
        message.set(U16, DnsHeaderDescriptor.ANCOUNT_OFFSET, (short) 0);
        message.set(U16, DnsHeaderDescriptor.NSCOUNT_OFFSET, (short) 0);
        message.set(U16, DnsHeaderDescriptor.ARCOUNT_OFFSET, (short) 0);
        return response;
    }
}
