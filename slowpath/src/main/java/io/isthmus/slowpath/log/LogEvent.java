package io.isthmus.slowpath.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The fields of one log line, in order, from a JUL {@link LogRecord} (which is also what
 * {@code System.Logger} and slf4j, through slf4j-jdk14, produce):
 * {@code ts level logger thread msg [key=value ...] [error stack]}.
 *
 * <p>Fields: a message without {@code {0}}-style placeholders that comes with parameters takes
 * them as key/value pairs, so {@code LOG.log(INFO, "pod attached", "pod", key, "port", 3)} gives
 * {@code msg="pod attached" pod=ns/web port=3} (with placeholders the message is formatted as
 * JUL formats it). A thrown exception gives {@code error} (class and message) and {@code stack}
 * (the whole trace with causes; the formatter escapes its newlines).
 *
 * <p><b>Thread-safety:</b> stateless; any thread.
 */
final class LogEvent {
    static final String MESSAGE = "msg";
    private static final Set<String> RESERVED = Set.of("ts", "level", "logger", "thread", MESSAGE, "error", "stack");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private LogEvent() {
    }

    static Map<String, String> of(LogRecord record) {
        final Map<String, String> fields = new LinkedHashMap<>();
        fields.put("ts", TIMESTAMP.format(record.getInstant()));
        fields.put("level", levelName(record.getLevel()));
        fields.put("logger", record.getLoggerName() == null ? "root" : record.getLoggerName());
        fields.put("thread", threadName(record.getLongThreadID()));
        final String message = record.getMessage() == null ? "" : record.getMessage();
        final Object[] parameters = record.getParameters();
        if (parameters == null || parameters.length == 0) {
            fields.put(MESSAGE, message);
        } else if (hasPlaceholders(message)) {
            fields.put(MESSAGE, formatted(message, parameters));
        } else {
            fields.put(MESSAGE, message);
            for (int i = 0; i < parameters.length; i += 2) {
                if (i + 1 < parameters.length) {
                    fields.put(key(String.valueOf(parameters[i])), String.valueOf(parameters[i + 1]));
                } else {
                    fields.put("arg", String.valueOf(parameters[i]));
                }
            }
        }
        final Throwable thrown = record.getThrown();
        if (thrown != null) {
            fields.put("error", thrown.getClass().getName() + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage()));
            final StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            fields.put("stack", trace.toString().stripTrailing());
        }
        return fields;
    }

    /** {@code error warn info debug trace}: JUL's SEVERE, WARNING, INFO, CONFIG and FINE, FINER and finer. */
    static String levelName(Level level) {
        final int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "error";
        } else if (value >= Level.WARNING.intValue()) {
            return "warn";
        } else if (value >= Level.INFO.intValue()) {
            return "info";
        } else if (value >= Level.FINE.intValue()) {
            return "debug";
        }
        return "trace";
    }

    /** A key made of letters, digits, {@code _ . -} (others become {@code _}); a reserved name gets a leading {@code _}. */
    static String key(String raw) {
        final StringBuilder key = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            final char c = raw.charAt(i);
            key.append(Character.isLetterOrDigit(c) && c < 0x80 || c == '_' || c == '.' || c == '-' ? c : '_');
        }
        final String name = key.isEmpty() ? "_" : key.toString();
        return RESERVED.contains(name) ? "_" + name : name;
    }

    private static boolean hasPlaceholders(String message) {
        final int open = message.indexOf('{');
        return open >= 0 && open + 1 < message.length() && Character.isDigit(message.charAt(open + 1));
    }

    private static String formatted(String message, Object[] parameters) {
        try {
            return MessageFormat.format(message, parameters);
        } catch (IllegalArgumentException e) {
            return message;
        }
    }

    /** The current thread's name when it logged the record (handlers format on the caller's thread), else its id. */
    private static String threadName(long threadId) {
        final Thread current = Thread.currentThread();
        return current.threadId() == threadId ? current.getName() : "id-" + threadId;
    }
}
