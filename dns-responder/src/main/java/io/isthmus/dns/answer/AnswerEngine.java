package io.isthmus.dns.answer;

import io.isthmus.dns.wire.DnsHeaderDescriptor;
import io.isthmus.dns.wire.DomainNames;
import io.isthmus.dns.wire.NameReader;
import io.isthmus.dns.wire.OptDescriptor;
import io.isthmus.dns.wire.Rcode;
import io.isthmus.dns.wire.RecordType;
import io.isthmus.dns.zone.Zone;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Answers a DNS query in place: the query sits in a {@link MemorySegment} region (a frame's
 * payload, a socket buffer), the response is written over it in the same region and its length
 * returned. Header and question stay where they are (only the flags and counts change), the
 * precomputed answer body of the {@link Zone} is copied after the question, and an OPT record is
 * appended when the query had one. Nothing is allocated and nothing is thrown, whatever the bytes.
 *
 * <p>Reads: the query bytes {@code [offset, offset + queryLength)}. Writes: the response bytes
 * {@code [offset, offset + returned length)}, never past {@code offset + capacity}. Outcomes:
 * <ul>
 *   <li>{@link #NO_RESPONSE}: shorter than a header, or a response (QR set): drop it;</li>
 *   <li>opcode other than QUERY: NOTIMP; QDCOUNT != 1, a malformed name or record, two OPT
 *       records: FORMERR (header only);</li>
 *   <li>EDNS version above 0: BADVERS;</li>
 *   <li>class other than IN or ANY, or a name outside the cluster domain and unknown to the zone
 *       (including reverse names of addresses the zone does not hold): REFUSED;</li>
 *   <li>a known name: the RRset, the CNAME, or NODATA with the SOA (authoritative);</li>
 *   <li>{@code a-b-c-d.<ns>.pod.<zone>} (deprecated, when {@code ZoneSettings.podRecords}): A
 *       {@code a.b.c.d}, NODATA for other types;</li>
 *   <li>an unknown name in the cluster domain: NXDOMAIN with the SOA (authoritative).</li>
 * </ul>
 * A response larger than the limit ({@link Transport}) first loses its additional section; if
 * still too large, it is sent empty with TC set, and the client retries over TCP.
 *
 * <p>Thread-safety: immutable; one instance may serve any number of threads, each with its own
 * buffer. The zone is passed per call, so a caller may switch to a new zone between calls.
 */
public final class AnswerEngine {
    /** Nothing to send. */
    public static final int NO_RESPONSE = 0;
    /**
     * From {@link #answerOrPunt} only: the name is outside the cluster domain and unknown to the
     * zone; nothing was written, the query is as it came and belongs to a forwarder.
     */
    public static final int OUTSIDE_ZONE = -1;
    /** The EDNS0 UDP payload size we advertise and honour at most (the DNS flag day 2020 value). */
    public static final int DEFAULT_MAX_UDP_PAYLOAD_BYTES = 1232;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int NO_EDNS = -1;

    private final int maxUdpPayloadBytes;

    public AnswerEngine() {
        this(DEFAULT_MAX_UDP_PAYLOAD_BYTES);
    }

    /** @param maxUdpPayloadBytes the largest UDP response ever sent, 512..65535 */
    public AnswerEngine(int maxUdpPayloadBytes) {
        if (maxUdpPayloadBytes < DnsHeaderDescriptor.CLASSIC_UDP_PAYLOAD_BYTES || maxUdpPayloadBytes > DnsHeaderDescriptor.MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("UDP payload size " + maxUdpPayloadBytes + " outside 512..65535");
        }
        this.maxUdpPayloadBytes = maxUdpPayloadBytes;
    }

    /**
     * Answers the query at {@code message[offset, offset + queryLength)} in place.
     *
     * @param capacity  bytes writable from {@code offset} (at least {@code queryLength})
     * @return the response length in bytes, or {@link #NO_RESPONSE}
     */
    public int answer(Zone zone, MemorySegment message, long offset, int queryLength, int capacity, Transport transport) {
        return answer(zone, message, offset, queryLength, capacity, transport, false);
    }

    /**
     * Like {@link #answer}, except that a well-formed query for a name outside the cluster domain
     * (and unknown to the zone) is not REFUSED: it returns {@link #OUTSIDE_ZONE} and leaves the
     * query untouched, so the caller can hand it to a forwarder. Names in the cluster domain,
     * among them the search-path probes a pod's {@code ndots:5} causes
     * ({@code example.com.default.svc.cluster.local}), are answered here as always (NXDOMAIN).
     */
    public int answerOrPunt(Zone zone, MemorySegment message, long offset, int queryLength, int capacity, Transport transport) {
        return answer(zone, message, offset, queryLength, capacity, transport, true);
    }

    private int answer(Zone zone, MemorySegment message, long offset, int queryLength, int capacity, Transport transport,
                       boolean puntOutside) {
        if (queryLength < DnsHeaderDescriptor.LENGTH_BYTES || capacity < queryLength || offset + capacity > message.byteSize()) {
            return NO_RESPONSE;
        }
        final int flags = u16(message, offset + DnsHeaderDescriptor.FLAGS_OFFSET);
        if ((flags & DnsHeaderDescriptor.FLAG_QR) != 0) {
            return NO_RESPONSE;
        }
        final int opcode = (flags >>> DnsHeaderDescriptor.OPCODE_SHIFT) & DnsHeaderDescriptor.OPCODE_MASK;
        final int responseFlags = DnsHeaderDescriptor.FLAG_QR | (opcode << DnsHeaderDescriptor.OPCODE_SHIFT)
                | (flags & (DnsHeaderDescriptor.FLAG_RD | DnsHeaderDescriptor.FLAG_CD));
        if (opcode != DnsHeaderDescriptor.OPCODE_QUERY) {
            return headerOnly(message, offset, responseFlags | Rcode.NOTIMP);
        }
        if (u16(message, offset + DnsHeaderDescriptor.QDCOUNT_OFFSET) != 1) {
            return headerOnly(message, offset, responseFlags | Rcode.FORMERR);
        }
        // The question name: plain labels only (a pointer in the only question cannot point anywhere valid).
        final long end = offset + queryLength;
        final long name = offset + DnsHeaderDescriptor.LENGTH_BYTES;
        long cursor = name;
        while (true) {
            if (cursor >= end) {
                return headerOnly(message, offset, responseFlags | Rcode.FORMERR);
            }
            final int labelLength = message.get(BYTE, cursor) & 0xFF;
            if (labelLength == 0) {
                cursor++;
                break;
            }
            if (labelLength > DnsHeaderDescriptor.MAX_LABEL_BYTES || cursor + 1 + labelLength >= end
                    || cursor + 1 + labelLength - name >= DnsHeaderDescriptor.MAX_NAME_BYTES) {
                return headerOnly(message, offset, responseFlags | Rcode.FORMERR);
            }
            cursor += labelLength + 1;
        }
        final int nameLength = (int) (cursor - name);
        if (cursor + 4 > end) {
            return headerOnly(message, offset, responseFlags | Rcode.FORMERR);
        }
        final int qtype = u16(message, cursor);
        final int qclass = u16(message, cursor + 2);
        final long questionEnd = cursor + 4;

        // The other sections: only an OPT record in the additional section matters to us.
        final int skipped = u16(message, offset + DnsHeaderDescriptor.ANCOUNT_OFFSET) + u16(message, offset + DnsHeaderDescriptor.NSCOUNT_OFFSET);
        final int records = skipped + u16(message, offset + DnsHeaderDescriptor.ARCOUNT_OFFSET);
        int clientPayload = NO_EDNS;
        int ednsVersion = 0;
        cursor = questionEnd;
        for (int i = 0; i < records; i++) {
            final long recordStart = cursor;
            final long afterName = NameReader.skip(message, offset, queryLength, cursor);
            if (afterName < 0 || afterName + 10 > end) {
                return headerOnly(message, offset, responseFlags | Rcode.FORMERR);
            }
            final int type = u16(message, afterName);
            cursor = afterName + 10 + u16(message, afterName + 8);
            if (cursor > end) {
                return headerOnly(message, offset, responseFlags | Rcode.FORMERR);
            }
            if (type == RecordType.OPT && i >= skipped) {
                if (clientPayload != NO_EDNS || message.get(BYTE, recordStart) != 0) {
                    return headerOnly(message, offset, responseFlags | Rcode.FORMERR);
                }
                clientPayload = u16(message, afterName + 2);
                ednsVersion = message.get(BYTE, afterName + 5) & 0xFF;
            }
        }
        final boolean edns = clientPayload != NO_EDNS;
        final int optBytes = edns ? OptDescriptor.LENGTH_BYTES : 0;
        final int limit = limit(transport, edns, clientPayload, capacity);
        final int questionBytes = (int) (questionEnd - offset);
        if (questionBytes + optBytes > limit) {
            return headerOnly(message, offset, responseFlags | Rcode.FORMERR);
        }
        if (edns && ednsVersion != 0) {
            writeHeader(message, offset, responseFlags, 1, 0, 0, 1);
            return questionBytes + writeOpt(message, questionEnd, Rcode.BADVERS);
        }
        if (qclass != RecordType.CLASS_IN && qclass != RecordType.CLASS_ANY) {
            return refused(message, offset, responseFlags, questionBytes, edns);
        }

        final int entry = zone.find(message, name, nameLength, end);
        if (entry != Zone.NOT_FOUND) {
            final int answer = zone.answerFor(entry, qtype);
            final long counts = zone.counts(answer);
            int bodyLength = zone.bodyLength(answer);
            int additional = (int) (counts & 0xFFFF);
            int answerFlags = responseFlags | DnsHeaderDescriptor.FLAG_AA;
            int answerCount = (int) (counts >>> 32) & 0xFFFF;
            int authorityCount = (int) (counts >>> 16) & 0xFFFF;
            if (questionBytes + bodyLength + optBytes > limit) {
                bodyLength = zone.bodyLengthWithoutAdditional(answer);
                additional = 0;
                if (questionBytes + bodyLength + optBytes > limit) {
                    bodyLength = 0;
                    answerCount = 0;
                    authorityCount = 0;
                    answerFlags |= DnsHeaderDescriptor.FLAG_TC;
                }
            }
            MemorySegment.copy(zone.bodies(), zone.bodyOffset(answer), message, questionEnd, bodyLength);
            writeHeader(message, offset, answerFlags, 1, answerCount, authorityCount, additional + (edns ? 1 : 0));
            return questionBytes + bodyLength + (edns ? writeOpt(message, questionEnd + bodyLength, Rcode.NOERROR) : 0);
        }
        final int apexLength = zone.apexWireLength();
        if (!endsWithApex(zone, message, name, nameLength, apexLength)) {
            if (puntOutside) {
                return OUTSIDE_ZONE;
            }
            return refused(message, offset, responseFlags, questionBytes, edns);
        }
        final long podAddress = zone.settings().podRecords() ? PodNames.address(message, name, nameLength - apexLength) : PodNames.NOT_A_POD_NAME;
        final int rcode = podAddress == PodNames.NOT_A_POD_NAME ? Rcode.NXDOMAIN : Rcode.NOERROR;
        if (podAddress != PodNames.NOT_A_POD_NAME && (qtype == RecordType.A || qtype == RecordType.ANY)) {
            // Deprecated pod record: one A record, owner = the question, address from the name.
            if (questionBytes + PodNames.A_RECORD_BYTES + optBytes > limit) { // no room: truncated, as any answer
                writeHeader(message, offset, responseFlags | DnsHeaderDescriptor.FLAG_AA | DnsHeaderDescriptor.FLAG_TC, 1, 0, 0, edns ? 1 : 0);
                return questionBytes + (edns ? writeOpt(message, questionEnd, Rcode.NOERROR) : 0);
            }
            final int recordBytes = PodNames.write(message, questionEnd, zone.settings().ttlSeconds(), (int) podAddress);
            writeHeader(message, offset, responseFlags | DnsHeaderDescriptor.FLAG_AA, 1, 1, 0, edns ? 1 : 0);
            return questionBytes + recordBytes + (edns ? writeOpt(message, questionEnd + recordBytes, Rcode.NOERROR) : 0);
        }
        final MemorySegment soa = zone.nxdomainSoa();
        final int soaBytes = 2 + (int) soa.byteSize();
        if (questionBytes + soaBytes + optBytes > limit) {
            writeHeader(message, offset, responseFlags | DnsHeaderDescriptor.FLAG_AA | DnsHeaderDescriptor.FLAG_TC | rcode,
                    1, 0, 0, edns ? 1 : 0);
            return questionBytes + (edns ? writeOpt(message, questionEnd, Rcode.NOERROR) : 0);
        }
        // NXDOMAIN (or NODATA for a pod name asked another type): the SOA, its owner the apex,
        // written as a pointer to the zone suffix of the question name.
        message.set(U16, questionEnd, (short) (0xC000 | (DnsHeaderDescriptor.LENGTH_BYTES + nameLength - apexLength)));
        MemorySegment.copy(soa, 0, message, questionEnd + 2, soa.byteSize());
        writeHeader(message, offset, responseFlags | DnsHeaderDescriptor.FLAG_AA | rcode, 1, 0, 1, edns ? 1 : 0);
        return questionBytes + soaBytes + (edns ? writeOpt(message, questionEnd + soaBytes, Rcode.NOERROR) : 0);
    }

    private int limit(Transport transport, boolean edns, int clientPayload, int capacity) {
        final int limit;
        if (transport == Transport.TCP) {
            limit = DnsHeaderDescriptor.MAX_MESSAGE_BYTES;
        } else if (edns) {
            limit = Math.min(Math.max(clientPayload, DnsHeaderDescriptor.CLASSIC_UDP_PAYLOAD_BYTES), maxUdpPayloadBytes);
        } else {
            limit = DnsHeaderDescriptor.CLASSIC_UDP_PAYLOAD_BYTES;
        }
        return Math.min(limit, capacity);
    }

    /** True when the question name is the cluster domain or below it (compared on a label boundary). */
    private static boolean endsWithApex(Zone zone, MemorySegment message, long name, int nameLength, int apexLength) {
        final int suffixStart = nameLength - apexLength;
        if (suffixStart < 0) {
            return false;
        }
        int position = 0;
        while (position < suffixStart) {
            position += (message.get(BYTE, name + position) & 0xFF) + 1;
        }
        if (position != suffixStart) {
            return false;
        }
        for (int i = 0; i < apexLength; i++) {
            if (DomainNames.foldByte(message.get(BYTE, name + suffixStart + i) & 0xFF) != zone.apexWireByte(i)) {
                return false;
            }
        }
        return true;
    }

    private int refused(MemorySegment message, long offset, int responseFlags, int questionBytes, boolean edns) {
        writeHeader(message, offset, responseFlags | Rcode.REFUSED, 1, 0, 0, edns ? 1 : 0);
        return questionBytes + (edns ? writeOpt(message, offset + questionBytes, Rcode.NOERROR) : 0);
    }

    private static int headerOnly(MemorySegment message, long offset, int flags) {
        writeHeader(message, offset, flags, 0, 0, 0, 0);
        return DnsHeaderDescriptor.LENGTH_BYTES;
    }

    private static void writeHeader(MemorySegment message, long offset, int flags, int questions, int answers, int authorities, int additionals) {
        message.set(U16, offset + DnsHeaderDescriptor.FLAGS_OFFSET, (short) flags);
        message.set(U16, offset + DnsHeaderDescriptor.QDCOUNT_OFFSET, (short) questions);
        message.set(U16, offset + DnsHeaderDescriptor.ANCOUNT_OFFSET, (short) answers);
        message.set(U16, offset + DnsHeaderDescriptor.NSCOUNT_OFFSET, (short) authorities);
        message.set(U16, offset + DnsHeaderDescriptor.ARCOUNT_OFFSET, (short) additionals);
    }

    /** Writes our OPT record (extended rcode = the upper 8 bits of {@code rcode}); returns its length. */
    private int writeOpt(MemorySegment message, long at, int rcode) {
        message.set(BYTE, at, (byte) 0);
        message.set(U16, at + OptDescriptor.TYPE_OFFSET, (short) RecordType.OPT);
        message.set(U16, at + OptDescriptor.PAYLOAD_SIZE_OFFSET, (short) maxUdpPayloadBytes);
        message.set(U32, at + OptDescriptor.EXTENDED_RCODE_OFFSET, (rcode >>> 4) << 24);
        message.set(U16, at + OptDescriptor.RDLENGTH_OFFSET, (short) 0);
        return OptDescriptor.LENGTH_BYTES;
    }

    private static int u16(MemorySegment message, long at) {
        return message.get(U16, at) & 0xFFFF;
    }
}
