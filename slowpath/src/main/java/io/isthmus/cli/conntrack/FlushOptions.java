package io.isthmus.cli.conntrack;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackFlushFilter;
import java.util.List;

/**
 * The {@code flush} options: which connections ({@code --proto}, {@code --backend},
 * {@code --port}: matched against the reply source, that is the backend after DNAT, else the
 * original destination) and how long to wait for the owner ({@code --timeout-s}).
 */
public final class FlushOptions {

    /** How long {@code flush} waits for the owner's acknowledgement unless told otherwise. */
    public static final long DEFAULT_TIMEOUT_MS = 5_000;

    private ConntrackFlushFilter filter = ConntrackFlushFilter.ALL;
    private long timeoutMs = DEFAULT_TIMEOUT_MS;

    /** Parses the options after {@code flush}; IllegalArgumentException names the bad one. */
    public static FlushOptions parse(List<String> options) {
        final FlushOptions parsed = new FlushOptions();
        for (int i = 0; i < options.size(); i++) {
            final String option = options.get(i);
            if (i + 1 == options.size()) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value" : "unexpected '" + option + "'");
            }
            final String value = options.get(++i);
            switch (option) {
                case "--timeout-s" -> parsed.timeoutMs = Math.max(0, parseNumber(option, value, 0, 3600)) * 1000L;
                case "--proto", "-p" -> parsed.filter = parsed.filter.withProto(DumpFilter.protocolNumber(value));
                case "--backend", "--reply-src" -> {
                    final long[] address;
                    try {
                        address = Addresses.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(option + ": " + e.getMessage());
                    }
                    parsed.filter = parsed.filter.withAddress(address[0], address[1]);
                }
                case "--port" -> parsed.filter = parsed.filter.withPort(parseNumber(option, value, 0, 65535));
                default -> throw new IllegalArgumentException("unknown flush option '" + option + "'");
            }
        }
        return parsed;
    }

    private static int parseNumber(String option, String text, int min, int max) {
        try {
            final int number = Integer.parseInt(text);
            if (number < min || number > max) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a number from " + min + " to " + max);
        }
    }

    public ConntrackFlushFilter filter() {
        return filter;
    }

    public long timeoutMs() {
        return timeoutMs;
    }
}
