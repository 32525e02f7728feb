package io.isthmus.slowpath.log;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * How every log line of {@code isthmus} becomes structured: one {@link Handler} on the root
 * {@code java.util.logging} logger, writing one line per record to standard error with
 * {@link LogfmtFormatter} (default) or {@link JsonLogFormatter}. Everything logs through it:
 * isthmus code through {@code System.Logger} (which the JDK sends to java.util.logging), fabric8,
 * Vert.x and the other libraries through slf4j (bound to java.util.logging by slf4j-jdk14) or
 * java.util.logging directly.
 *
 * <p>Settings: the environment variables {@code ISTHMUS_LOG_LEVEL} ({@code error warn info debug
 * trace}, default {@code info}) and {@code ISTHMUS_LOG_FORMAT} ({@code logfmt json}), or the
 * global options {@code isthmus --log-level L --log-format F COMMAND ...} before the command
 * (options win over the environment). Libraries ({@link #LIBRARIES}) log at {@code warn} or the
 * chosen level, whichever is stricter, so {@code debug} is Isthmus's own debug.
 *
 * <p><b>Thread-safety:</b> {@link #install} once, from the main thread, before other threads
 * log; the handler then serves every thread (java.util.logging serialises publication).
 */
public final class LogSetup {
    /** Loggers of libraries and of the JDK (which logs every System.exit at debug), kept at warn unless a stricter level is chosen. */
    static final List<String> LIBRARIES = List.of("io.fabric8", "io.vertx", "io.netty", "okhttp3", "org.apache", "org.eclipse", "io.aeron",
            "java", "javax", "jdk", "sun");
    /** Strong references: java.util.logging holds loggers weakly, and would forget their levels. */
    private static final List<Logger> CONFIGURED = new ArrayList<>();
    private static volatile boolean installed;

    public enum Format { LOGFMT, JSON }

    /** What to log and how. */
    public record Settings(Level level, Format format) {
        public static final Settings DEFAULT = new Settings(Level.INFO, Format.LOGFMT);

        Formatter formatter() {
            return format == Format.JSON ? new JsonLogFormatter() : new LogfmtFormatter();
        }
    }

    /** The command line without its leading global log options, and the settings they and the environment give. */
    public record CommandLine(String[] arguments, Settings settings) {
    }

    private LogSetup() {
    }

    /**
     * Reads {@code --log-level L} and {@code --log-format F} at the start of {@code args} (before
     * the command) over {@code ISTHMUS_LOG_LEVEL} / {@code ISTHMUS_LOG_FORMAT} of {@code environment}.
     *
     * @throws IllegalArgumentException naming the option or variable and the values it takes
     */
    public static CommandLine parse(String[] args, Map<String, String> environment) {
        Level level = environment.containsKey("ISTHMUS_LOG_LEVEL") ? level(environment.get("ISTHMUS_LOG_LEVEL"), "ISTHMUS_LOG_LEVEL") : Level.INFO;
        Format format = environment.containsKey("ISTHMUS_LOG_FORMAT") ? format(environment.get("ISTHMUS_LOG_FORMAT"), "ISTHMUS_LOG_FORMAT") : Format.LOGFMT;
        int i = 0;
        while (i < args.length && (args[i].equals("--log-level") || args[i].equals("--log-format"))) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            if (args[i].equals("--log-level")) {
                level = level(args[i + 1], "--log-level");
            } else {
                format = format(args[i + 1], "--log-format");
            }
            i += 2;
        }
        return new CommandLine(Arrays.copyOfRange(args, i, args.length), new Settings(level, format));
    }

    /** Makes every log record of this JVM one line on standard error, as {@code settings} say. */
    public static void install(Settings settings) {
        install(settings, System.err);
    }

    /** {@link #install(Settings)} onto {@code out} (tests). */
    public static synchronized void install(Settings settings, OutputStream out) {
        final Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new LineHandler(out, settings.formatter()));
        root.setLevel(settings.level());
        CONFIGURED.clear();
        CONFIGURED.add(root);
        final Level libraries = settings.level().intValue() > Level.WARNING.intValue() ? settings.level() : Level.WARNING;
        for (String name : LIBRARIES) {
            final Logger library = Logger.getLogger(name);
            library.setLevel(libraries);
            CONFIGURED.add(library);
        }
        installed = true;
    }

    /** Whether {@link #install} ran (then the JVM's shutdown must not remove the handler: {@link ShutdownSafeLogManager}). */
    static boolean installed() {
        return installed;
    }

    static Level level(String text, String source) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> throw new IllegalArgumentException(source + ": '" + text + "' is not a log level (error, warn, info, debug, trace)");
        };
    }

    static Format format(String text, String source) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "logfmt" -> Format.LOGFMT;
            case "json" -> Format.JSON;
            default -> throw new IllegalArgumentException(source + ": '" + text + "' is not a log format (logfmt, json)");
        };
    }

    /** A handler that writes each record at once (no buffering across records) and never closes its stream. */
    private static final class LineHandler extends StreamHandler {
        LineHandler(OutputStream out, Formatter formatter) {
            super(out instanceof PrintStream ? out : new PrintStream(out, true), formatter);
            setLevel(Level.ALL);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            super.publish(record);
            flush();
        }

        @Override
        public synchronized void close() {
            flush(); // standard error stays open for whatever runs after
        }
    }
}
