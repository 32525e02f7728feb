package io.isthmus.slowpath.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogSetupTest {
    @AfterEach
    void backToDefaults() {
        LogSetup.install(LogSetup.Settings.DEFAULT); // other tests of this JVM log to standard error as isthmus does
    }

    @Test
    void globalOptionsBeforeTheCommandWinOverTheEnvironmentAndAreRemoved() {
        final LogSetup.CommandLine line = LogSetup.parse(new String[]{"--log-format", "json", "--log-level", "debug", "agent", "--log-level", "x"},
                Map.of("ISTHMUS_LOG_LEVEL", "error", "ISTHMUS_LOG_FORMAT", "logfmt"));
        assertArrayEquals(new String[]{"agent", "--log-level", "x"}, line.arguments(), "only options before the command are taken");
        assertEquals(new LogSetup.Settings(Level.FINE, LogSetup.Format.JSON), line.settings());
        assertEquals(new LogSetup.Settings(Level.WARNING, LogSetup.Format.JSON),
                LogSetup.parse(new String[]{"status"}, Map.of("ISTHMUS_LOG_LEVEL", "WARN", "ISTHMUS_LOG_FORMAT", "json")).settings());
        assertEquals(LogSetup.Settings.DEFAULT, LogSetup.parse(new String[]{"up"}, Map.of()).settings());
    }

    @Test
    void badValuesNameTheirSourceAndTheChoices() {
        assertEquals("ISTHMUS_LOG_LEVEL: 'loud' is not a log level (error, warn, info, debug, trace)",
                assertThrows(IllegalArgumentException.class, () -> LogSetup.parse(new String[]{"agent"}, Map.of("ISTHMUS_LOG_LEVEL", "loud"))).getMessage());
        assertEquals("--log-format: 'xml' is not a log format (logfmt, json)",
                assertThrows(IllegalArgumentException.class, () -> LogSetup.parse(new String[]{"--log-format", "xml", "agent"}, Map.of())).getMessage());
        assertEquals("--log-level needs a value",
                assertThrows(IllegalArgumentException.class, () -> LogSetup.parse(new String[]{"--log-level"}, Map.of())).getMessage());
    }

    @Test
    void everyLoggingApiEndsAsOneFormattedLineAndLibrariesStayAtWarn() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogSetup.install(new LogSetup.Settings(Level.FINE, LogSetup.Format.LOGFMT), out);
        System.getLogger("io.isthmus.test.SystemLogger").log(System.Logger.Level.DEBUG, "through System.Logger", "objects", 42);
        Logger.getLogger("io.isthmus.test.Jul").warning("through java.util.logging");
        org.slf4j.LoggerFactory.getLogger("io.isthmus.test.Slf4j").info("through slf4j {}", "jdk14");
        Logger.getLogger("io.fabric8.kubernetes.client.Something").info("a library's info, not shown");
        Logger.getLogger("io.fabric8.kubernetes.client.Something").warning("a library's warning");
        System.getLogger("io.isthmus.test.SystemLogger").log(System.Logger.Level.TRACE, "finer than debug, not shown");
        final String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertTrue(lines[0].matches("ts=\\S+Z level=debug logger=io.isthmus.test.SystemLogger thread=\\S+ msg=\"through System.Logger\" objects=42"), lines[0]);
        assertTrue(lines[1].matches("ts=\\S+Z level=warn logger=io.isthmus.test.Jul thread=\\S+ msg=\"through java.util.logging\""), lines[1]);
        assertTrue(lines[2].matches("ts=\\S+Z level=info logger=io.isthmus.test.Slf4j thread=\\S+ msg=\"through slf4j jdk14\""), lines[2]);
        assertTrue(lines[3].contains("level=warn logger=io.fabric8.kubernetes.client.Something") && lines[3].contains("a library's warning"), lines[3]);
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("not shown"));
    }
}
