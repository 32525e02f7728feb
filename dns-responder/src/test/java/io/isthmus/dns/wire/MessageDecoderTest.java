package io.isthmus.dns.wire;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoder against messages written by dnsjava, and against hostile names. */
class MessageDecoderTest {

    @Test
    void decodesACompressedResponseWrittenByDnsjava() throws Exception {
        final Message message = Message.newQuery(Record.newRecord(Name.fromString("_http._tcp.web.default.svc.cluster.local."), Type.SRV, DClass.IN));
        message.getHeader().setID(4242);
        final Name target = Name.fromString("web.default.svc.cluster.local.");
        message.addRecord(new SRVRecord(Name.fromString("_http._tcp.web.default.svc.cluster.local."), DClass.IN, 30, 0, 100, 80, target), Section.ANSWER);
        message.addRecord(new ARecord(target, DClass.IN, 30, InetAddress.getByName("10.0.0.7")), Section.ADDITIONAL);
        final MessageDecoder.Result result = MessageDecoder.decode(message.toWire());
        assertTrue(result.ok(), result.error());
        assertEquals(4242, result.message().id());
        assertEquals("_http._tcp.web.default.svc.cluster.local", result.message().questions().getFirst().name());
        assertEquals("0 100 80 web.default.svc.cluster.local", result.message().answers().getFirst().rdataText());
        assertEquals("10.0.0.7", result.message().additionals().getFirst().rdataText());
        assertEquals("web.default.svc.cluster.local", result.message().additionals().getFirst().name());
    }

    @Test
    void refusesAPointerLoop() {
        // Header, 1 question whose name is a pointer to itself at offset 12.
        final byte[] bytes = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1};
        final MessageDecoder.Result result = MessageDecoder.decode(bytes);
        assertFalse(result.ok());
        assertTrue(result.error().contains("pointer"), result.error());
    }

    @Test
    void refusesTwoPointersThatPointAtEachOther() {
        // Answer name at 18 points to 20, which points back to 18: the forward pointer is refused.
        final byte[] bytes = {0, 1, (byte) 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0,
            (byte) 0xC0, 14, (byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0};
        assertEquals(NameReader.ERR_POINTER_LOOP, NameReader.skip(MemorySegment.ofArray(bytes), 0, bytes.length, 12));
        assertFalse(MessageDecoder.decode(bytes).ok());
    }

    @Test
    void refusesOutOfBoundsPointersAndLabels() {
        final byte[] pointerPastEnd = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'f', 'o', 'o', (byte) 0xC0, (byte) 0xFF};
        assertFalse(MessageDecoder.decode(pointerPastEnd).ok());
        final byte[] labelPastEnd = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 'f', 'o', 'o'};
        assertEquals(NameReader.ERR_OUT_OF_BOUNDS, NameReader.skip(MemorySegment.ofArray(labelPastEnd), 0, labelPastEnd.length, 12));
        final byte[] extendedLabel = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1};
        assertEquals(NameReader.ERR_BAD_LABEL_TYPE, NameReader.skip(MemorySegment.ofArray(extendedLabel), 0, extendedLabel.length, 12));
    }

    @Test
    void refusesNamesLongerThan255Bytes() {
        final byte[] bytes = new byte[12 + 5 * 64 + 5];
        bytes[5] = 1;
        int at = 12;
        for (int i = 0; i < 5; i++) {
            bytes[at] = 63;
            for (int j = 1; j <= 63; j++) {
                bytes[at + j] = 'a';
            }
            at += 64;
        }
        assertEquals(NameReader.ERR_NAME_TOO_LONG, NameReader.skip(MemorySegment.ofArray(bytes), 0, bytes.length, 12));
    }

    @Test
    void refusesRdataWhoseLengthDisagreesWithItsName() {
        // One answer: root owner, CNAME, RDLENGTH 3 but the name inside is 5 bytes.
        final byte[] bytes = {0, 1, (byte) 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0,
            0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 3, 3, 'f', 'o', 'o', 0};
        final MessageDecoder.Result result = MessageDecoder.decode(bytes);
        assertFalse(result.ok());
    }

    @Test
    void domainNamesToWireValidates() {
        assertEquals(15, DomainNames.toWire("Cluster.Local.").length);
        assertEquals(1, DomainNames.toWire(".").length);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DomainNames.toWire("a..b"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DomainNames.toWire("x".repeat(64) + ".local"));
        assertEquals(NameWords.hash(DomainNames.toWire("FOO.bar")), NameWords.hash(DomainNames.toWire("foo.BAR")));
    }

    @Test
    void compressingWriterPointsAtEarlierSuffixesCaseInsensitively() {
        final CompressingWriter writer = new CompressingWriter();
        writer.bytes(new byte[12]);
        writer.name(DomainNames.toWire("a.Example.com"), true);
        final int second = writer.length();
        writer.name(DomainNames.toWire("b.example.COM"), true);
        final byte[] bytes = writer.toByteArray();
        assertEquals(second + 4, bytes.length, "label b, then a 2-byte pointer");
        assertEquals((byte) 0xC0, bytes[second + 2]);
        assertEquals(14, bytes[second + 3]);
        writer.name(DomainNames.toWire("c.example.com"), false);
        assertEquals(bytes.length + 15, writer.length(), "uncompressed: every label written");
    }
}
