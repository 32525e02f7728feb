package io.isthmus.cli.conntrack;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackState;
import io.isthmus.conntrack.reader.ConntrackRecord;
import java.util.Arrays;
import java.util.Locale;

/**
 * The {@code dump} filters. As with {@code conntrack -L}, {@code --src/--dst/--sport/--dport}
 * match the original tuple. Unset fields match everything.
 */
public final class DumpFilter {

    private int proto = -1;
    private long[] src;
    private long[] dst;
    private int sport = -1;
    private int dport = -1;
    private String state;

    public DumpFilter proto(String text) {
        proto = protocolNumber(text);
        return this;
    }

    /** tcp, udp, icmp, icmpv6 or a number 0..255; IllegalArgumentException otherwise. */
    static int protocolNumber(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "icmpv6", "ipv6-icmp" -> 58;
            default -> {
                try {
                    final int number = Integer.parseInt(text);
                    if (number < 0 || number > 255) {
                        throw new NumberFormatException();
                    }
                    yield number;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--proto: unknown protocol '" + text + "' (tcp, udp, icmp, icmpv6 or 0..255)");
                }
            }
        };
    }

    public DumpFilter src(String text) {
        src = parseAddress("--src", text);
        return this;
    }

    public DumpFilter dst(String text) {
        dst = parseAddress("--dst", text);
        return this;
    }

    public DumpFilter sport(String text) {
        sport = parsePort("--sport", text);
        return this;
    }

    public DumpFilter dport(String text) {
        dport = parsePort("--dport", text);
        return this;
    }

    public DumpFilter state(String text) {
        final String upper = text.toUpperCase(Locale.ROOT);
        final boolean known = Arrays.stream(ConntrackState.values())
            .anyMatch(s -> s.label().equals(upper) || s.name().equals(upper));
        if (!known) {
            throw new IllegalArgumentException("--state: unknown state '" + text + "' (for example ESTABLISHED, SYN_SENT, TIME_WAIT, UNREPLIED, ASSURED)");
        }
        state = upper;
        return this;
    }

    private static long[] parseAddress(String option, String text) {
        try {
            return Addresses.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    private static int parsePort(String option, String text) {
        try {
            final int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a port (0..65535)");
        }
    }

    public boolean matches(ConntrackRecord r) {
        if (proto >= 0 && r.proto() != proto) {
            return false;
        }
        if (src != null && (r.origSrcHi() != src[0] || r.origSrcLo() != src[1])) {
            return false;
        }
        if (dst != null && (r.origDstHi() != dst[0] || r.origDstLo() != dst[1])) {
            return false;
        }
        if (sport >= 0 && r.origSport() != sport) {
            return false;
        }
        if (dport >= 0 && r.origDport() != dport) {
            return false;
        }
        if (state != null) {
            final ConntrackState s = ConntrackState.byId(r.stateId());
            return s != null && (s.label().equals(state) || s.name().equals(state));
        }
        return true;
    }
}
