package io.isthmus.slowpath.up;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a helper program ({@code ip netns}, a CNI plugin) to its end with a time limit, stdout and
 * stderr kept apart. The one place where {@code up} starts short-lived programs.
 */
final class ExternalCommand {
    private ExternalCommand() {
    }

    /** How a program ended. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** The command, its code and what it said, for an error message. */
        String describe() {
            final String said = (stderr.isBlank() ? stdout : stderr).strip();
            return String.join(" ", command) + " exited " + exitCode + (said.isEmpty() ? "" : ": " + said);
        }
    }

    static Result run(long timeoutSeconds, List<String> command) throws IOException {
        return run(timeoutSeconds, new ProcessBuilder(command), null);
    }

    /** Runs {@code builder}, writing {@code stdin} (may be null) and killing it after {@code timeoutSeconds}. */
    static Result run(long timeoutSeconds, ProcessBuilder builder, byte[] stdin) throws IOException {
        final Process process = builder.start();
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        final byte[][] err = new byte[1][];
        final Thread stderrReader = Thread.ofVirtual().start(() -> {
            try {
                err[0] = process.getErrorStream().readAllBytes();
            } catch (IOException e) {
                err[0] = ("<stderr unreadable: " + e.getMessage() + ">").getBytes(StandardCharsets.UTF_8);
            }
        });
        try {
            final byte[][] out = new byte[1][];
            final Thread stdoutReader = Thread.ofVirtual().start(() -> {
                try {
                    out[0] = process.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", builder.command()) + " did not finish in " + timeoutSeconds + " s");
            }
            stdoutReader.join(5_000);
            stderrReader.join(5_000);
            return new Result(List.copyOf(builder.command()), process.exitValue(),
                    out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8),
                    err[0] == null ? "" : new String(err[0], StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", builder.command()), e);
        }
    }
}
