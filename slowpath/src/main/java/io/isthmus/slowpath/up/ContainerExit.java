package io.isthmus.slowpath.up;

import java.time.Instant;

/**
 * How one run of a pod's container command ended, as {@code lastState.terminated} (or
 * {@code state.terminated}) shows it.
 *
 * <p><b>Thread-safety:</b> immutable.
 *
 * @param exitCode   the command's exit code ({@link #START_ERROR_CODE} when it could not be started again)
 * @param reason     {@code Completed} (exit code 0), {@code Error}, or {@code StartError}
 * @param message    why, for a start error; empty otherwise
 * @param startedAt  when the run began
 * @param finishedAt when it ended
 */
record ContainerExit(int exitCode, String reason, String message, Instant startedAt, Instant finishedAt) {
    /** The exit code a container runtime reports for a container it could not start. */
    static final int START_ERROR_CODE = 128;

    /** The command exited with {@code exitCode}. */
    static ContainerExit exited(int exitCode, Instant startedAt, Instant finishedAt) {
        return new ContainerExit(exitCode, ContainerRestart.terminatedReason(exitCode), "", startedAt, finishedAt);
    }

    /** The command could not be started again (e.g. its executable is gone). */
    static ContainerExit startError(String why, Instant at) {
        return new ContainerExit(START_ERROR_CODE, "StartError", why, at, at);
    }
}
