package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Which connections a flush removes: all of them, or those whose reply source (the original
 * destination after DNAT, that is the backend; else the original destination) matches a
 * protocol, an address and/or a port. Kept in the header's flush mailbox for requests from
 * other processes (see {@link ConntrackDescriptor}).
 *
 * @param match       bits {@link ConntrackDescriptor#FILTER_PROTO}, {@code FILTER_ADDRESS},
 *                    {@code FILTER_PORT}; 0 matches every connection
 * @param proto       IP protocol number (with FILTER_PROTO)
 * @param port        the backend's port (with FILTER_PORT)
 * @param addressHi   the backend's address, high 64 bits (with FILTER_ADDRESS; see {@link Addresses})
 * @param addressLo   low 64 bits
 */
public record ConntrackFlushFilter(int match, int proto, int port, long addressHi, long addressLo) {

    public static final ConntrackFlushFilter ALL = new ConntrackFlushFilter(0, 0, 0, 0, 0);

    public ConntrackFlushFilter {
        if ((match & ~(FILTER_PROTO | FILTER_ADDRESS | FILTER_PORT)) != 0) {
            throw new IllegalArgumentException("unknown flush filter bits " + Integer.toHexString(match));
        }
        if ((match & FILTER_PROTO) != 0 && (proto < 0 || proto > 255)) {
            throw new IllegalArgumentException("flush filter protocol must be 0..255, got " + proto);
        }
        if ((match & FILTER_PORT) != 0 && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("flush filter port must be 0..65535, got " + port);
        }
    }

    /** Connections to one backend (address, port, protocol): what goes when an endpoint goes away. */
    public static ConntrackFlushFilter backend(long addressHi, long addressLo, int port, int proto) {
        return new ConntrackFlushFilter(FILTER_PROTO | FILTER_ADDRESS | FILTER_PORT, proto, port, addressHi, addressLo);
    }

    public ConntrackFlushFilter withProto(int newProto) {
        return new ConntrackFlushFilter(match | FILTER_PROTO, newProto, port, addressHi, addressLo);
    }

    public ConntrackFlushFilter withAddress(long hi, long lo) {
        return new ConntrackFlushFilter(match | FILTER_ADDRESS, proto, port, hi, lo);
    }

    public ConntrackFlushFilter withPort(int newPort) {
        return new ConntrackFlushFilter(match | FILTER_PORT, proto, newPort, addressHi, addressLo);
    }

    /** True if a connection with this protocol and reply source matches. */
    public boolean matches(int entryProto, long replySrcHi, long replySrcLo, int replySrcPort) {
        return ((match & FILTER_PROTO) == 0 || entryProto == proto)
            && ((match & FILTER_ADDRESS) == 0 || (replySrcHi == addressHi && replySrcLo == addressLo))
            && ((match & FILTER_PORT) == 0 || replySrcPort == port);
    }

    /** Writes it into a mapped header (the requester, holding the mailbox lock). */
    public void write(MemorySegment header) {
        header.set(ValueLayout.JAVA_INT, FLUSH_FILTER_MATCH_OFFSET, match);
        header.set(ValueLayout.JAVA_INT, FLUSH_FILTER_PROTO_OFFSET, proto);
        header.set(ValueLayout.JAVA_INT, FLUSH_FILTER_PORT_OFFSET, port);
        header.set(ValueLayout.JAVA_LONG, FLUSH_FILTER_ADDR_HI_OFFSET, addressHi);
        header.set(ValueLayout.JAVA_LONG, FLUSH_FILTER_ADDR_LO_OFFSET, addressLo);
    }

    /** Reads it from a mapped header (the owner); a corrupt one reads as "nothing" rather than "everything". */
    static ConntrackFlushFilter read(MemorySegment header) {
        final int match = header.get(ValueLayout.JAVA_INT, FLUSH_FILTER_MATCH_OFFSET);
        final int proto = header.get(ValueLayout.JAVA_INT, FLUSH_FILTER_PROTO_OFFSET);
        final int port = header.get(ValueLayout.JAVA_INT, FLUSH_FILTER_PORT_OFFSET);
        try {
            return new ConntrackFlushFilter(match, proto, port, header.get(ValueLayout.JAVA_LONG, FLUSH_FILTER_ADDR_HI_OFFSET),
                header.get(ValueLayout.JAVA_LONG, FLUSH_FILTER_ADDR_LO_OFFSET));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
