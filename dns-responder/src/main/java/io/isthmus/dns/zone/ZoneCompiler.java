package io.isthmus.dns.zone;

import io.isthmus.dns.wire.CompressingWriter;
import io.isthmus.dns.wire.DnsHeaderDescriptor;
import io.isthmus.dns.wire.DomainNames;
import io.isthmus.dns.wire.NameWords;
import io.isthmus.dns.wire.OptDescriptor;
import io.isthmus.dns.wire.RecordType;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the text records of {@link ZoneBuilder} into a {@link Zone}: for every owner name and
 * every type it has, the wire-format answer body, compressed as it will sit after the question.
 *
 * <p>Thread-safety: stateless; each call is confined to the calling thread.
 */
final class ZoneCompiler {
    private static final int SOA_REFRESH_SECONDS = 7200;
    private static final int SOA_RETRY_SECONDS = 1800;
    private static final int SOA_EXPIRE_SECONDS = 86400;
    /** Room left in a 64 KiB message for the header, the longest question and our OPT. */
    private static final int MAX_BODY_BYTES = DnsHeaderDescriptor.MAX_MESSAGE_BYTES - DnsHeaderDescriptor.LENGTH_BYTES
            - DnsHeaderDescriptor.MAX_NAME_BYTES - 4 - OptDescriptor.LENGTH_BYTES;
    /** Types that get their own precomputed answer when a name has records of them. */
    private static final int[] ANSWER_TYPES = {RecordType.A, RecordType.AAAA, RecordType.SRV, RecordType.PTR,
        RecordType.TXT, RecordType.SOA, RecordType.NS, RecordType.ANY};

    /** A record to write: its owner, type and a writer for its RDATA. */
    private record Rr(byte[] owner, int type, RdataWriter rdata) {
    }

    @FunctionalInterface
    private interface RdataWriter {
        void write(CompressingWriter out);
    }

    private final ZoneSettings settings;
    private final String zone;
    private final Map<String, NameRecords> names;
    private final List<String> warnings;
    private final ByteArrayOutputStream bodies = new ByteArrayOutputStream();
    private final List<int[]> answers = new ArrayList<>(); // {offset, length, lengthWithoutAdditional}
    private final List<Long> answerCounts = new ArrayList<>();

    private ZoneCompiler(ZoneSettings settings, String zone, Map<String, NameRecords> names, List<String> warnings) {
        this.settings = settings;
        this.zone = zone;
        this.names = names;
        this.warnings = warnings;
    }

    static Zone compile(ZoneSettings settings, String zone, Map<String, NameRecords> names, List<String> warnings) {
        return new ZoneCompiler(settings, zone, names, warnings).compile();
    }

    private Zone compile() {
        final int count = names.size();
        final int[] entryHash = new int[count];
        final int[] entryKeyWordOffset = new int[count];
        final int[] entryKeyLength = new int[count];
        final int[] entryTypesStart = new int[count];
        final int[] entryTypesCount = new int[count];
        final int[] entryFallback = new int[count];
        final List<Long> keyWords = new ArrayList<>();
        final List<Integer> typeCodes = new ArrayList<>();
        final List<Integer> typeAnswers = new ArrayList<>();
        final int[] slots = new int[Integer.highestOneBit(Math.max(4, count * 2 - 1)) << 1];
        int entry = 0;
        for (NameRecords node : names.values()) {
            final byte[] wire = DomainNames.toWire(node.name);
            entryHash[entry] = NameWords.hash(wire);
            entryKeyWordOffset[entry] = keyWords.size();
            entryKeyLength[entry] = wire.length;
            for (long word : NameWords.words(wire)) {
                keyWords.add(word);
            }
            entryTypesStart[entry] = typeCodes.size();
            if (!node.cname.isEmpty()) {
                entryFallback[entry] = answer(wire, RecordType.CNAME, List.of(cnameRr(wire, node.cname)), List.of(), List.of());
            } else {
                for (int type : ANSWER_TYPES) {
                    final List<Rr> rrs = rrs(node, wire, type);
                    if (!rrs.isEmpty()) {
                        typeCodes.add(type);
                        typeAnswers.add(answer(wire, type, rrs, List.of(), additionals(type, rrs, node)));
                    }
                }
                entryFallback[entry] = answer(wire, RecordType.SOA, List.of(), List.of(soaRr(node.authorityApex)), List.of());
            }
            entryTypesCount[entry] = typeCodes.size() - entryTypesStart[entry];
            int slot = entryHash[entry] & (slots.length - 1);
            while (slots[slot] != 0) {
                slot = (slot + 1) & (slots.length - 1);
            }
            slots[slot] = entry + 1;
            entry++;
        }
        final int[] offsets = new int[answers.size()];
        final int[] lengths = new int[answers.size()];
        final int[] withoutAdditional = new int[answers.size()];
        final long[] counts = new long[answers.size()];
        for (int i = 0; i < answers.size(); i++) {
            offsets[i] = answers.get(i)[0];
            lengths[i] = answers.get(i)[1];
            withoutAdditional[i] = answers.get(i)[2];
            counts[i] = answerCounts.get(i);
        }
        return new Zone(settings, DomainNames.toWire(zone), slots, entryHash, entryKeyWordOffset, entryKeyLength,
                keyWords.stream().mapToLong(Long::longValue).toArray(),
                entryTypesStart, entryTypesCount, entryFallback, toArray(typeCodes), toArray(typeAnswers),
                offsets, lengths, withoutAdditional, counts, bodies.toByteArray(), nxdomainSoa(),
                warnings, List.copyOf(names.keySet()));
    }

    /** The records of {@code node} of one type ({@code ANY}: all of them), owned by {@code wire}. */
    private List<Rr> rrs(NameRecords node, byte[] wire, int type) {
        final List<Rr> rrs = new ArrayList<>();
        if (type == RecordType.A || type == RecordType.ANY) {
            node.ipv4.forEach(ip -> rrs.add(addressRr(wire, ip)));
        }
        if (type == RecordType.AAAA || type == RecordType.ANY) {
            node.ipv6.forEach(ip -> rrs.add(addressRr(wire, ip)));
        }
        if (type == RecordType.SRV || type == RecordType.ANY) {
            for (NameRecords.Srv srv : node.srv) {
                final byte[] target = DomainNames.toWire(srv.target());
                rrs.add(new Rr(wire, RecordType.SRV, out -> {
                    out.u16(srv.priority()).u16(srv.weight()).u16(srv.port());
                    out.name(target, false); // RFC 2782: the target is not compressed
                }));
            }
        }
        if (type == RecordType.PTR || type == RecordType.ANY) {
            for (String target : node.ptr) {
                final byte[] targetWire = DomainNames.toWire(target);
                rrs.add(new Rr(wire, RecordType.PTR, out -> out.name(targetWire, true)));
            }
        }
        if (type == RecordType.TXT || type == RecordType.ANY) {
            for (String text : node.txt) {
                final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
                rrs.add(new Rr(wire, RecordType.TXT, out -> out.u8(bytes.length).bytes(bytes)));
            }
        }
        if (node.apex && (type == RecordType.SOA || type == RecordType.ANY)) {
            rrs.add(soaRr(node.name));
        }
        if (node.apex && (type == RecordType.NS || type == RecordType.ANY)) {
            final byte[] ns = DomainNames.toWire("ns.dns." + zone);
            rrs.add(new Rr(wire, RecordType.NS, out -> out.name(ns, true)));
        }
        return rrs;
    }

    /** SRV answers carry the A/AAAA records of their targets in the additional section. */
    private List<Rr> additionals(int type, List<Rr> answers, NameRecords node) {
        if (type != RecordType.SRV || node.srv.isEmpty()) {
            return List.of();
        }
        final Set<String> targets = new LinkedHashSet<>();
        node.srv.forEach(srv -> targets.add(srv.target()));
        final List<Rr> rrs = new ArrayList<>();
        for (String target : targets) {
            final NameRecords targetNode = names.get(target);
            if (targetNode != null) {
                final byte[] wire = DomainNames.toWire(target);
                targetNode.ipv4.forEach(ip -> rrs.add(addressRr(wire, ip)));
                targetNode.ipv6.forEach(ip -> rrs.add(addressRr(wire, ip)));
            }
        }
        return rrs;
    }

    private static Rr addressRr(byte[] owner, InetAddress ip) {
        final byte[] address = ip.getAddress();
        return new Rr(owner, address.length == 4 ? RecordType.A : RecordType.AAAA, out -> out.bytes(address));
    }

    private static Rr cnameRr(byte[] owner, String target) {
        final byte[] targetWire = DomainNames.toWire(target);
        return new Rr(owner, RecordType.CNAME, out -> out.name(targetWire, true));
    }

    private Rr soaRr(String apex) {
        final byte[] mname = DomainNames.toWire("ns.dns." + zone);
        final byte[] rname = DomainNames.toWire("hostmaster." + zone);
        return new Rr(DomainNames.toWire(apex), RecordType.SOA, out -> {
            out.name(mname, true).name(rname, true);
            soaNumbers(out);
        });
    }

    private void soaNumbers(CompressingWriter out) {
        out.u32(settings.serial()).u32(SOA_REFRESH_SECONDS).u32(SOA_RETRY_SECONDS).u32(SOA_EXPIRE_SECONDS).u32(settings.ttlSeconds());
    }

    /** The NXDOMAIN SOA without its owner: TYPE, CLASS, TTL, RDLENGTH, uncompressed RDATA. */
    private byte[] nxdomainSoa() {
        final CompressingWriter out = new CompressingWriter();
        out.u16(RecordType.SOA).u16(RecordType.CLASS_IN).u32(settings.ttlSeconds()).u16(0);
        out.name(DomainNames.toWire("ns.dns." + zone), false).name(DomainNames.toWire("hostmaster." + zone), false);
        soaNumbers(out);
        final byte[] bytes = out.toByteArray();
        final int rdLength = bytes.length - 10;
        bytes[8] = (byte) (rdLength >>> 8);
        bytes[9] = (byte) rdLength;
        return bytes;
    }

    /** Writes a whole response for (qname, qtype), keeps what follows the question; returns the answer's index. */
    private int answer(byte[] qname, int qtype, List<Rr> answerRrs, List<Rr> authority, List<Rr> additional) {
        List<Rr> an = answerRrs;
        List<Rr> ar = additional;
        byte[] message = write(qname, qtype, an, authority, ar);
        int bodyStart = DnsHeaderDescriptor.LENGTH_BYTES + qname.length + 4;
        if (message.length - bodyStart > MAX_BODY_BYTES && !ar.isEmpty()) {
            ar = List.of();
            message = write(qname, qtype, an, authority, ar);
        }
        while (message.length - bodyStart > MAX_BODY_BYTES && an.size() > 1) {
            an = an.subList(0, an.size() * 9 / 10);
            message = write(qname, qtype, an, authority, ar);
        }
        if (an.size() != answerRrs.size()) {
            warnings.add(nameOf(qname) + " "
                    + RecordType.name(qtype) + ": " + answerRrs.size() + " records do not fit in 64 KiB, " + an.size() + " published");
        }
        final int withoutAdditional = write(qname, qtype, an, authority, List.of()).length - bodyStart;
        final int offset = bodies.size();
        bodies.write(message, bodyStart, message.length - bodyStart);
        answers.add(new int[] {offset, message.length - bodyStart, withoutAdditional});
        answerCounts.add(((long) an.size() << 32) | ((long) authority.size() << 16) | ar.size());
        return answers.size() - 1;
    }

    private byte[] write(byte[] qname, int qtype, List<Rr> an, List<Rr> ns, List<Rr> ar) {
        final CompressingWriter out = new CompressingWriter();
        out.bytes(new byte[DnsHeaderDescriptor.LENGTH_BYTES]);
        out.name(qname, true).u16(qtype).u16(RecordType.CLASS_IN);
        for (List<Rr> section : List.of(an, ns, ar)) {
            for (Rr rr : section) {
                out.name(rr.owner(), true).u16(rr.type()).u16(RecordType.CLASS_IN).u32(settings.ttlSeconds());
                final int rdLengthAt = out.length();
                out.u16(0);
                rr.rdata().write(out);
                out.patchU16(rdLengthAt, out.length() - rdLengthAt - 2);
            }
        }
        return out.toByteArray();
    }

    private static String nameOf(byte[] wire) {
        final StringBuilder text = new StringBuilder();
        int i = 0;
        while (wire[i] != 0) {
            if (!text.isEmpty()) {
                text.append('.');
            }
            text.append(new String(wire, i + 1, wire[i], StandardCharsets.US_ASCII));
            i += wire[i] + 1;
        }
        return text.toString();
    }

    private static int[] toArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
