package io.isthmus.slowpath.log;

import java.util.logging.LogRecord;

/**
 * One log record as one JSON object per line, with the fields of {@link LogEvent} as string
 * members in the same order:
 * {@code {"ts":"2026-11-26T09:01:02.345Z","level":"info","logger":"...","thread":"...","msg":"...","objects":"42"}}.
 * For log shippers that want JSON ({@code --log-format json}, {@code ISTHMUS_LOG_FORMAT=json}).
 *
 * <p><b>Thread-safety:</b> stateless; any thread.
 */
public final class JsonLogFormatter extends java.util.logging.Formatter {
    @Override
    public String format(LogRecord record) {
        final StringBuilder line = new StringBuilder(192).append('{');
        LogEvent.of(record).forEach((key, value) -> {
            if (line.length() > 1) {
                line.append(',');
            }
            appendString(line, key);
            line.append(':');
            appendString(line, value);
        });
        return line.append("}\n").toString();
    }

    /** A JSON string literal (RFC 8259 escapes; control characters and DEL as {@code \\uXXXX}). */
    static void appendString(StringBuilder line, String value) {
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }
}
