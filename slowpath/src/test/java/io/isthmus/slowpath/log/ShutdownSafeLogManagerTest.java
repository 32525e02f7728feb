package io.isthmus.slowpath.log;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A line logged by a shutdown hook after the JDK's own logging shutdown hook has run must still
 * be written with {@link ShutdownSafeLogManager}, and is lost with the JDK's manager (the control
 * that shows the test can fail). Each case is a JVM of its own ({@link Main}).
 */
class ShutdownSafeLogManagerTest {
    /** Installs the logging, then exits; a shutdown hook waits for the JDK's reset and logs. */
    public static final class Main {
        public static void main(String[] args) {
            LogSetup.install(LogSetup.Settings.DEFAULT);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(1_000); // the JDK's LogManager hook resets meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.getLogger("io.isthmus.test.Teardown").log(System.Logger.Level.INFO, "torn down", "pods", 2);
            }));
            System.exit(0);
        }
    }

    private static String run(String manager) throws Exception {
        final List<String> command = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        if (manager != null) {
            command.add("-Djava.util.logging.manager=" + manager);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the JVM did not end within 60 s");
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aShutdownHookStillLogsOneStructuredLine() throws Exception {
        final String output = run(ShutdownSafeLogManager.CLASS_NAME);
        assertTrue(output.matches("(?s).*ts=\\S+ level=info logger=io.isthmus.test.Teardown thread=\\S+ msg=\"torn down\" pods=2\n.*"), output);
    }

    @Test
    void withTheJdksManagerTheLineIsLost() throws Exception {
        final String output = run(null);
        assertFalse(output.contains("torn down"), output);
    }
}
