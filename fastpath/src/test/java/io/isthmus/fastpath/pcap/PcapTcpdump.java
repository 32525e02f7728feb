package io.isthmus.fastpath.pcap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs {@code tcpdump -nn -vv -r <file>} for tests; skips the calling test visibly when tcpdump is not installed. */
public final class PcapTcpdump {
    private PcapTcpdump() {
    }

    public static String readVerbose(Path file) throws IOException, InterruptedException {
        final Process process;
        try {
            process = new ProcessBuilder("tcpdump", "-nn", "-vv", "-r", file.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "tcpdump is not installed (scripts/install-deps.sh installs it): " + e.getMessage());
            throw e;
        }
        final boolean done = process.waitFor(30, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly();
        }
        assertTrue(done, "tcpdump did not finish within 30 s");
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
