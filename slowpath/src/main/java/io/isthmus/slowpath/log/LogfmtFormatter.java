package io.isthmus.slowpath.log;

import java.util.logging.LogRecord;

/**
 * One log record as one logfmt line:
 *
 * <pre>
 *   ts=2026-11-26T09:01:02.345Z level=info logger=io.isthmus.slowpath.reconcile.Reconciler thread=isthmus-reconciler msg="resynchronised" objects=42
 * </pre>
 *
 * Values with a space, {@code =}, a quote, a backslash or a control character are quoted, with
 * {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t} and {@code \\uXXXX} escapes, so a
 * multi-line message or a stack trace stays on its one line; {@code msg} is always quoted. What
 * goes into a line is {@link LogEvent}'s (fields, exceptions).
 *
 * <p><b>Thread-safety:</b> stateless; any thread.
 */
public final class LogfmtFormatter extends java.util.logging.Formatter {
    @Override
    public String format(LogRecord record) {
        final StringBuilder line = new StringBuilder(160);
        LogEvent.of(record).forEach((key, value) -> {
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(key).append('=');
            appendValue(line, value, key.equals(LogEvent.MESSAGE));
        });
        return line.append('\n').toString();
    }

    /** Appends {@code value}, quoted and escaped when it must be (or always, when {@code quote}). */
    static void appendValue(StringBuilder line, String value, boolean quote) {
        if (!quote && !value.isEmpty() && !needsQuotes(value)) {
            line.append(value);
            return;
        }
        JsonLogFormatter.appendString(line, value); // the same escapes: a quoted logfmt value reads as a JSON string
    }

    private static boolean needsQuotes(String value) {
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
