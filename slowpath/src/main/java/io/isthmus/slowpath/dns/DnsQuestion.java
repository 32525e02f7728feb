package io.isthmus.slowpath.dns;

import io.isthmus.dns.answer.AnswerEngine;
import io.isthmus.dns.wire.DnsHeaderDescriptor;
import io.isthmus.dns.wire.NameReader;
import io.isthmus.dns.wire.OptDescriptor;
import io.isthmus.dns.wire.RecordType;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * The one question of a standard query, as a cache key (the name lower-cased, so {@code WWW.Example.com}
 * and {@code www.example.com} share an answer), with where the question ends and the UDP size the
 * client accepts.
 *
 * @param name           the question name, lower case, dotted, with the trailing dot
 * @param type           QTYPE
 * @param dnsClass       QCLASS
 * @param questionEnd    the offset just after the question section (header + question)
 * @param udpLimitBytes  the largest response the client takes over UDP: its EDNS0 payload size
 *                       (512..1232), or 512 without EDNS0
 * @param optPayloadSizeOffset where the OPT record's payload size field sits in the message, or -1
 *                       when the query has no OPT record
 */
record DnsQuestion(String name, int type, int dnsClass, int questionEnd, int udpLimitBytes, int optPayloadSizeOffset) {

    /** A cache key: what the answer depends on. */
    record Key(String name, int type, int dnsClass) {
    }

    Key key() {
        return new Key(name, type, dnsClass);
    }

    /**
     * The question of {@code message[offset, offset + length)} when it is a standard query (QR 0,
     * opcode QUERY, QDCOUNT 1, a name of plain labels, every record after it well formed); else null.
     */
    static DnsQuestion parse(MemorySegment message, long offset, int length) {
        return parse(message, offset, length, false);
    }

    /** Like {@link #parse(MemorySegment, long, int)}, for a response to a standard query (QR 1). */
    static DnsQuestion parseResponse(MemorySegment message, long offset, int length) {
        return parse(message, offset, length, true);
    }

    private static DnsQuestion parse(MemorySegment message, long offset, int length, boolean response) {
        if (length < DnsHeaderDescriptor.LENGTH_BYTES) {
            return null;
        }
        final int flags = DnsMessages.u16(message, offset + DnsHeaderDescriptor.FLAGS_OFFSET);
        if (((flags & DnsHeaderDescriptor.FLAG_QR) != 0) != response
                || ((flags >>> DnsHeaderDescriptor.OPCODE_SHIFT) & DnsHeaderDescriptor.OPCODE_MASK) != DnsHeaderDescriptor.OPCODE_QUERY
                || DnsMessages.u16(message, offset + DnsHeaderDescriptor.QDCOUNT_OFFSET) != 1) {
            return null;
        }
        final StringBuilder name = new StringBuilder();
        long cursor = offset + DnsHeaderDescriptor.LENGTH_BYTES;
        final long end = offset + length;
        while (true) {
            if (cursor >= end) {
                return null;
            }
            final int label = message.get(java.lang.foreign.ValueLayout.JAVA_BYTE, cursor) & 0xFF;
            if (label == 0) {
                cursor++;
                break;
            }
            if (label > DnsHeaderDescriptor.MAX_LABEL_BYTES || cursor + 1 + label > end
                    || cursor + 1 + label - (offset + DnsHeaderDescriptor.LENGTH_BYTES) >= DnsHeaderDescriptor.MAX_NAME_BYTES) {
                return null;
            }
            for (int i = 1; i <= label; i++) {
                name.append((char) (message.get(java.lang.foreign.ValueLayout.JAVA_BYTE, cursor + i) & 0xFF));
            }
            name.append('.');
            cursor += label + 1;
        }
        if (name.isEmpty()) {
            name.append('.');
        }
        if (cursor + 4 > end) {
            return null;
        }
        final int type = DnsMessages.u16(message, cursor);
        final int dnsClass = DnsMessages.u16(message, cursor + 2);
        final long questionEnd = cursor + 4;
        int udpLimit = DnsHeaderDescriptor.CLASSIC_UDP_PAYLOAD_BYTES;
        long optPayloadSizeAt = -1;
        final int records = DnsMessages.u16(message, offset + DnsHeaderDescriptor.ANCOUNT_OFFSET)
                + DnsMessages.u16(message, offset + DnsHeaderDescriptor.NSCOUNT_OFFSET)
                + DnsMessages.u16(message, offset + DnsHeaderDescriptor.ARCOUNT_OFFSET);
        cursor = questionEnd;
        for (int i = 0; i < records; i++) {
            final long afterName = NameReader.skip(message, offset, length, cursor);
            if (afterName < 0 || afterName + 10 > end) {
                return null;
            }
            if (DnsMessages.u16(message, afterName) == RecordType.OPT) {
                optPayloadSizeAt = afterName + OptDescriptor.PAYLOAD_SIZE_OFFSET - OptDescriptor.TYPE_OFFSET;
                final int payload = DnsMessages.u16(message, optPayloadSizeAt);
                udpLimit = Math.clamp(payload, DnsHeaderDescriptor.CLASSIC_UDP_PAYLOAD_BYTES, AnswerEngine.DEFAULT_MAX_UDP_PAYLOAD_BYTES);
            }
            cursor = afterName + 10 + DnsMessages.u16(message, afterName + 8);
            if (cursor > end) {
                return null;
            }
        }
        return new DnsQuestion(name.toString().toLowerCase(Locale.ROOT), type, dnsClass, (int) (questionEnd - offset), udpLimit,
                optPayloadSizeAt < 0 ? -1 : (int) (optPayloadSizeAt - offset));
    }
}
