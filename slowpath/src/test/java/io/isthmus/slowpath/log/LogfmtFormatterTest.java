package io.isthmus.slowpath.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogfmtFormatterTest {
    private static final Instant WHEN = Instant.parse("2026-11-26T09:01:02.345678Z");

    private static LogRecord record(Level level, String message, Object... parameters) {
        final LogRecord record = new LogRecord(level, message);
        record.setInstant(WHEN);
        record.setLoggerName("io.isthmus.test.Thing");
        record.setLongThreadID(Thread.currentThread().threadId());
        record.setParameters(parameters.length == 0 ? null : parameters);
        return record;
    }

    private static String prefix(String level) {
        return "ts=2026-11-26T09:01:02.345Z level=" + level + " logger=io.isthmus.test.Thing thread=" + quotedIfNeeded(Thread.currentThread().getName());
    }

    private static String quotedIfNeeded(String name) {
        return name.contains(" ") ? "\"" + name + "\"" : name;
    }

    @Test
    void aPlainMessageIsOneLineWithTimeLevelLoggerThreadAndQuotedMessage() {
        assertEquals(prefix("info") + " msg=\"agent running\"\n", new LogfmtFormatter().format(record(Level.INFO, "agent running")));
    }

    @Test
    void levelsAreNamedAsLogfmtReadersExpect() {
        assertEquals("error", LogEvent.levelName(Level.SEVERE));
        assertEquals("warn", LogEvent.levelName(Level.WARNING));
        assertEquals("info", LogEvent.levelName(Level.INFO));
        assertEquals("debug", LogEvent.levelName(Level.CONFIG));
        assertEquals("debug", LogEvent.levelName(Level.FINE));
        assertEquals("trace", LogEvent.levelName(Level.FINER));
        assertEquals("trace", LogEvent.levelName(Level.FINEST));
    }

    @Test
    void parametersWithoutPlaceholdersAreKeyValuePairsQuotedOnlyWhenNeeded() {
        final String line = new LogfmtFormatter().format(record(Level.WARNING, "pod attached",
                "pod", "default/web-1", "port", 3, "reason", "no route", "empty", "", "odd key!", "x=y", "msg", "clash", "lonely"));
        assertEquals(prefix("warn") + " msg=\"pod attached\" pod=default/web-1 port=3 reason=\"no route\" empty=\"\" odd_key_=\"x=y\""
                + " _msg=clash arg=lonely\n", line);
    }

    @Test
    void placeholdersAreFormattedAsJavaUtilLoggingFormatsThem() {
        assertEquals(prefix("info") + " msg=\"3 objects in 1.5 ms\"\n",
                new LogfmtFormatter().format(record(Level.INFO, "{0} objects in {1} ms", 3, 1.5)));
    }

    @Test
    void quotesBackslashesNewlinesAndControlCharactersAreEscapedSoTheLineStaysOne() {
        final String line = new LogfmtFormatter().format(record(Level.INFO, "say \"hi\"\nC:\\dir\tend\u0001", "path", "/a b\r\n"));
        assertEquals(prefix("info") + " msg=\"say \\\"hi\\\"\\nC:\\\\dir\\tend\\u0001\" path=\"/a b\\r\\n\"\n", line);
        assertEquals(1, line.split("\n", -1).length - 1, "exactly one newline, at the end");
    }

    @Test
    void anExceptionWithItsCauseIsOneLineWithErrorAndStack() {
        final LogRecord record = record(Level.SEVERE, "reconciler batch failed");
        record.setThrown(new IllegalStateException("bad \"state\"", new UncheckedIOException(new IOException("disk gone"))));
        final String line = new LogfmtFormatter().format(record);
        assertTrue(line.startsWith(prefix("error") + " msg=\"reconciler batch failed\" error=\"java.lang.IllegalStateException: bad \\\"state\\\"\""
                + " stack=\"java.lang.IllegalStateException: bad \\\"state\\\"\\n\\tat "), line);
        assertTrue(line.contains("\\nCaused by: java.io.UncheckedIOException: java.io.IOException: disk gone\\n"), line);
        assertTrue(line.endsWith("\"\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
    }

    @Test
    void jsonHasTheSameFieldsAsStringsOneObjectPerLine() throws Exception {
        final LogRecord record = record(Level.INFO, "line\nbreak \"q\"", "port", 3);
        record.setThrown(new RuntimeException("boom"));
        final String line = new JsonLogFormatter().format(record);
        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
        final JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("2026-11-26T09:01:02.345Z", json.get("ts").asText());
        assertEquals("info", json.get("level").asText());
        assertEquals("io.isthmus.test.Thing", json.get("logger").asText());
        assertEquals("line\nbreak \"q\"", json.get("msg").asText());
        assertEquals("3", json.get("port").asText());
        assertEquals("java.lang.RuntimeException: boom", json.get("error").asText());
        assertTrue(json.get("stack").asText().startsWith("java.lang.RuntimeException: boom\n\tat "), json.get("stack").asText());
    }
}
