package io.isthmus.e2e;

import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./isthmus fastpath} as a user runs it: the launcher script in its own process, two pods
 * made as the README makes them, ping and a 10 MB TCP transfer through the fast path (checked by
 * SHA-256 on both ends), then SIGTERM, after which no XDP program may be left. Runs after
 * {@code package} (failsafe), with {@code ISTHMUS_NO_BUILD=1} so the launcher uses that build.
 */
class IsthmusFastpathIT {
    private static final Path HOME = Path.of(System.getProperty("isthmus.home", "..")).toAbsolutePath().normalize();

    @RegisterExtension
    final PodExtension pods = new PodExtension();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void switchesPingAndTcpBetweenTwoPodsThenSigtermDetachesEverything() throws Exception {
        Privileges.assumeRootAndAfXdp();
        final Pod a = pods.pod("10.221.0.2");
        final Pod b = pods.pod("10.221.0.3");
        final Path log = dir.resolve("fastpath.log");
        final ProcessBuilder builder = new ProcessBuilder(HOME.resolve("isthmus").toString(), "fastpath",
                "--port", a.hostInterface() + "=" + a.ip(), "--port", b.hostInterface() + "=" + b.ip())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("ISTHMUS_NO_BUILD", "1");
        final Process fastpath = builder.start();
        try {
            waitFor(log, "attached " + b.hostInterface(), 60);

            Shell.Result ping = null;
            for (int attempt = 0; attempt < 10 && (ping == null || !ping.ok()); attempt++) { // the first packet may teach a MAC
                ping = a.exec(10, "ping", "-c", "2", "-W", "1", b.ip());
            }
            assertTrue(ping.ok(), ping.output());

            final byte[] payload = new byte[10 << 20];
            ThreadLocalRandom.current().nextBytes(payload);
            final Path file = Files.write(dir.resolve("payload"), payload);
            final String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
            final CompletableFuture<Shell.Result> receiver = CompletableFuture.supplyAsync(
                    () -> b.exec(90, "bash", "-c", "nc -l 5001 | sha256sum"));
            Shell.Result sent = null;
            for (int attempt = 0; attempt < 20 && (sent == null || !sent.ok()); attempt++) { // until the listener is up
                Thread.sleep(200);
                sent = a.exec(60, "bash", "-c", "nc -N " + b.ip() + " 5001 < " + file);
            }
            assertTrue(sent.ok(), sent.output());
            final Shell.Result received = receiver.get(90, TimeUnit.SECONDS);
            assertTrue(received.ok(), received.output());
            assertEquals(expected, received.output().trim().split("\\s+")[0], "the 10 MB arrived intact");
        } finally {
            fastpath.destroy(); // SIGTERM
            if (!fastpath.waitFor(30, TimeUnit.SECONDS)) {
                fastpath.destroyForcibly();
            }
        }
        final String output = Files.readString(log);
        assertTrue(output.contains("detached"), output);
        assertFalse(Shell.check("ip", "-o", "link", "show", a.hostInterface()).contains("xdp"), "no XDP program left");
        assertFalse(Shell.check("ip", "-o", "link", "show", b.hostInterface()).contains("xdp"), "no XDP program left");
    }

    private static void waitFor(Path log, String text, int seconds) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' from ./isthmus fastpath within " + seconds + " s:\n"
                + (Files.exists(log) ? Files.readString(log) : "(no output)"));
    }
}
