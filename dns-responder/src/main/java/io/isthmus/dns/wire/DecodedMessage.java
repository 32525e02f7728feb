package io.isthmus.dns.wire;

import java.util.List;

/**
 * A whole DNS message decoded into objects, by {@link MessageDecoder}. For diagnostics, tests
 * and the slow path; the answer engine never builds one.
 */
public record DecodedMessage(int id, int flags, List<Question> questions, List<ResourceRecord> answers,
                             List<ResourceRecord> authorities, List<ResourceRecord> additionals) {

    public int rcode() {
        return flags & DnsHeaderDescriptor.RCODE_MASK;
    }

    public int opcode() {
        return (flags >>> DnsHeaderDescriptor.OPCODE_SHIFT) & DnsHeaderDescriptor.OPCODE_MASK;
    }

    public boolean isResponse() {
        return (flags & DnsHeaderDescriptor.FLAG_QR) != 0;
    }

    public boolean isTruncated() {
        return (flags & DnsHeaderDescriptor.FLAG_TC) != 0;
    }

    /** One entry of the question section. */
    public record Question(String name, int type, int dnsClass) {
    }

    /**
     * One resource record. {@code rdata} is the raw RDATA; {@code rdataText} is its presentation
     * form for the types this codec knows (names in RDATA expanded), else hex.
     */
    public record ResourceRecord(String name, int type, int dnsClass, long ttl, byte[] rdata, String rdataText) {
    }
}
