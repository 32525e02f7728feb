package io.isthmus.fastpath.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command (test fixtures only: {@code ip}, {@code ethtool}, {@code ping}) with a time limit. */
public final class Shell {
    private Shell() {
    }

    /** What a command printed and how it ended. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Throws with the command and its output unless it exited 0. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    /** Runs {@code command}, stdout and stderr merged; kills it after {@code timeoutSeconds}. */
    public static Result run(long timeoutSeconds, String... command) {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            final byte[][] out = new byte[1][];
            final Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = ("<output unreadable: " + e + ">").getBytes(StandardCharsets.UTF_8);
                }
            });
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                reader.join(5000);
                return new Result(List.of(command), -1, "timed out after " + timeoutSeconds + " s\n"
                        + (out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8)));
            }
            reader.join(5000);
            return new Result(List.of(command), p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    /** {@link #run} with 30 s, throwing unless it exits 0. */
    public static String check(String... command) {
        return run(30, command).orThrow().output();
    }
}
