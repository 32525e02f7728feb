package io.isthmus.dns.zone;

import io.isthmus.dns.wire.CompressingWriter;
import io.isthmus.dns.wire.DecodedMessage;
import io.isthmus.dns.wire.DomainNames;
import io.isthmus.dns.wire.MessageDecoder;
import io.isthmus.dns.wire.RecordType;

import java.util.ArrayList;
import java.util.List;

/**
 * The whole compiled zone in presentation form, one line per record of every precomputed
 * answer, for golden-text tests and {@code isthmus dns dump}. It decodes the wire answers
 * themselves (behind a synthetic header and question), so it shows exactly what is served.
 *
 * <pre>
 * kubernetes.default.svc.cluster.local A: answer kubernetes.default.svc.cluster.local 30 A 10.96.0.1
 * default.svc.cluster.local *: authority cluster.local 30 SOA ns.dns.cluster.local ...
 * </pre>
 * {@code *} is the fallback answer (NODATA or CNAME) for every type without its own.
 */
public final class ZoneDump {

    private ZoneDump() {
    }

    public static List<String> lines(Zone zone) {
        final List<String> lines = new ArrayList<>();
        for (int entry = 0; entry < zone.nameCount(); entry++) {
            final String name = zone.names().get(entry);
            for (int i = 0; i < zone.typeCount(entry); i++) {
                final int type = zone.type(entry, i);
                describe(zone, name, RecordType.name(type), zone.answerFor(entry, type), lines);
            }
            describe(zone, name, "*", zone.fallbackAnswer(entry), lines);
        }
        return lines;
    }

    private static void describe(Zone zone, String name, String type, int answer, List<String> lines) {
        final long counts = zone.counts(answer);
        final byte[] wire = DomainNames.toWire(name);
        final CompressingWriter message = new CompressingWriter();
        message.u16(0).u16(0x8400).u16(1).u16((int) (counts >>> 32) & 0xFFFF).u16((int) (counts >>> 16) & 0xFFFF).u16((int) counts & 0xFFFF);
        message.bytes(wire).u16(RecordType.A).u16(RecordType.CLASS_IN);
        message.bytes(zone.bodies().asSlice(zone.bodyOffset(answer), zone.bodyLength(answer)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        final MessageDecoder.Result decoded = MessageDecoder.decode(message.toByteArray());
        final String prefix = name + " " + type + ": ";
        if (!decoded.ok()) {
            lines.add(prefix + "UNDECODABLE " + decoded.error());
            return;
        }
        section(prefix + "answer ", decoded.message().answers(), lines);
        section(prefix + "authority ", decoded.message().authorities(), lines);
        section(prefix + "additional ", decoded.message().additionals(), lines);
    }

    private static void section(String prefix, List<DecodedMessage.ResourceRecord> records, List<String> lines) {
        for (DecodedMessage.ResourceRecord record : records) {
            lines.add(prefix + record.name() + " " + record.ttl() + " " + RecordType.name(record.type()) + " " + record.rdataText());
        }
    }
}
