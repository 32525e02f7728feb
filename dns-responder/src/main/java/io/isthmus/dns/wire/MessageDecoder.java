package io.isthmus.dns.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Decodes a complete DNS message from a {@link MemorySegment}. Every read is bounds-checked
 * against the message length; names go through {@link NameReader} (pointer loops and
 * out-of-bounds pointers refused); an RDATA whose declared length disagrees with its content is
 * refused. Malformed input gives a {@link Result} with an error, never an exception.
 *
 * <p>Thread-safety: stateless.
 */
public final class MessageDecoder {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private MessageDecoder() {
    }

    /** The decoded message, or why it could not be decoded (exactly one is non-null). */
    public record Result(DecodedMessage message, String error) {
        public boolean ok() {
            return message != null;
        }
    }

    public static Result decode(byte[] bytes) {
        return decode(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    public static Result decode(MemorySegment segment, long start, int length) {
        if (length < DnsHeaderDescriptor.LENGTH_BYTES || start + length > segment.byteSize()) {
            return new Result(null, "shorter than the 12-byte header");
        }
        final Cursor c = new Cursor(segment, start, length);
        final int id = c.u16(start);
        final int flags = c.u16(start + 2);
        final int qd = c.u16(start + 4);
        final int an = c.u16(start + 6);
        final int ns = c.u16(start + 8);
        final int ar = c.u16(start + 10);
        c.position = start + DnsHeaderDescriptor.LENGTH_BYTES;
        final List<DecodedMessage.Question> questions = new ArrayList<>();
        for (int i = 0; i < qd; i++) {
            final String name = c.name();
            if (name == null) {
                return new Result(null, "question " + i + ": " + c.error);
            }
            if (!c.has(4)) {
                return new Result(null, "question " + i + ": truncated type/class");
            }
            questions.add(new DecodedMessage.Question(name, c.u16(c.position), c.u16(c.position + 2)));
            c.position += 4;
        }
        final List<List<DecodedMessage.ResourceRecord>> sections = new ArrayList<>();
        final int[] counts = {an, ns, ar};
        final String[] sectionNames = {"answer", "authority", "additional"};
        for (int s = 0; s < 3; s++) {
            final List<DecodedMessage.ResourceRecord> records = new ArrayList<>();
            for (int i = 0; i < counts[s]; i++) {
                final DecodedMessage.ResourceRecord record = c.record();
                if (record == null) {
                    return new Result(null, sectionNames[s] + " record " + i + ": " + c.error);
                }
                records.add(record);
            }
            sections.add(records);
        }
        if (c.position != start + length) {
            return new Result(null, (start + length - c.position) + " bytes after the last record");
        }
        return new Result(new DecodedMessage(id, flags, questions, sections.get(0), sections.get(1), sections.get(2)), null);
    }

    private static final class Cursor {
        final MemorySegment segment;
        final long start;
        final int length;
        long position;
        String error;

        Cursor(MemorySegment segment, long start, int length) {
            this.segment = segment;
            this.start = start;
            this.length = length;
        }

        boolean has(int bytes) {
            return position + bytes <= start + length;
        }

        int u16(long at) {
            return ((segment.get(BYTE, at) & 0xFF) << 8) | (segment.get(BYTE, at + 1) & 0xFF);
        }

        long u32(long at) {
            return ((long) u16(at) << 16) | u16(at + 2);
        }

        String name() {
            return nameAt(position, true);
        }

        String nameAt(long at, boolean advance) {
            final StringBuilder text = new StringBuilder();
            final long after = NameReader.read(segment, start, length, at, text);
            if (after < 0) {
                error = switch ((int) after) {
                    case NameReader.ERR_OUT_OF_BOUNDS -> "name runs past the end of the message";
                    case NameReader.ERR_POINTER_LOOP -> "compression pointer loop or forward pointer";
                    case NameReader.ERR_NAME_TOO_LONG -> "name longer than 255 bytes";
                    default -> "unsupported label type";
                };
                return null;
            }
            if (advance) {
                position = after;
            }
            return text.toString();
        }

        DecodedMessage.ResourceRecord record() {
            final String name = name();
            if (name == null) {
                return null;
            }
            if (!has(10)) {
                error = "truncated record header";
                return null;
            }
            final int type = u16(position);
            final int dnsClass = u16(position + 2);
            final long ttl = u32(position + 4);
            final int rdLength = u16(position + 8);
            position += 10;
            if (!has(rdLength)) {
                error = "RDATA runs past the end of the message";
                return null;
            }
            final long rdStart = position;
            final byte[] rdata = segment.asSlice(rdStart, rdLength).toArray(BYTE);
            final String text = rdataText(type, rdStart, rdLength, rdata);
            if (text == null) {
                return null;
            }
            position = rdStart + rdLength;
            return new DecodedMessage.ResourceRecord(name, type, dnsClass, ttl, rdata, text);
        }

        private String rdataText(int type, long rdStart, int rdLength, byte[] rdata) {
            final long rdEnd = rdStart + rdLength;
            try {
                switch (type) {
                    case RecordType.A, RecordType.AAAA -> {
                        if (rdLength != (type == RecordType.A ? 4 : 16)) {
                            error = "address RDATA of " + rdLength + " bytes";
                            return null;
                        }
                        return InetAddress.getByAddress(rdata).getHostAddress();
                    }
                    case RecordType.CNAME, RecordType.PTR, RecordType.NS -> {
                        final StringBuilder text = new StringBuilder();
                        final long after = NameReader.read(segment, start, length, rdStart, text);
                        if (after != rdEnd) {
                            error = after < 0 ? "bad name in RDATA" : "RDATA length disagrees with its name";
                            return null;
                        }
                        return text.toString();
                    }
                    case RecordType.SRV -> {
                        if (rdLength < 7) {
                            error = "SRV RDATA too short";
                            return null;
                        }
                        final StringBuilder text = new StringBuilder();
                        final long after = NameReader.read(segment, start, length, rdStart + 6, text);
                        if (after != rdEnd) {
                            error = after < 0 ? "bad name in SRV RDATA" : "SRV RDATA length disagrees with its target";
                            return null;
                        }
                        return u16(rdStart) + " " + u16(rdStart + 2) + " " + u16(rdStart + 4) + " " + text;
                    }
                    case RecordType.SOA -> {
                        final StringBuilder mname = new StringBuilder();
                        final long afterM = NameReader.read(segment, start, length, rdStart, mname);
                        final StringBuilder rname = new StringBuilder();
                        final long afterR = afterM < 0 ? afterM : NameReader.read(segment, start, length, afterM, rname);
                        if (afterR < 0 || afterR + 20 != rdEnd) {
                            error = "bad SOA RDATA";
                            return null;
                        }
                        return mname + " " + rname + " " + u32(afterR) + " " + u32(afterR + 4) + " " + u32(afterR + 8)
                                + " " + u32(afterR + 12) + " " + u32(afterR + 16);
                    }
                    case RecordType.TXT -> {
                        final StringBuilder text = new StringBuilder();
                        int i = 0;
                        while (i < rdLength) {
                            final int n = rdata[i] & 0xFF;
                            if (i + 1 + n > rdLength) {
                                error = "TXT string runs past its RDATA";
                                return null;
                            }
                            if (!text.isEmpty()) {
                                text.append(' ');
                            }
                            text.append('"').append(new String(rdata, i + 1, n, java.nio.charset.StandardCharsets.US_ASCII)).append('"');
                            i += 1 + n;
                        }
                        return text.toString();
                    }
                    default -> {
                        return HexFormat.of().formatHex(rdata);
                    }
                }
            } catch (UnknownHostException impossible) {
                throw new AssertionError(impossible);
            }
        }
    }
}
