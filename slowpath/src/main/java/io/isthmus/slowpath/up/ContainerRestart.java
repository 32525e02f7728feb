package io.isthmus.slowpath.up;

import java.time.Duration;

/**
 * What a kubelet does when a pod's container command exits, by the pod's {@code restartPolicy}:
 * {@code Always} (the default, also for a missing or unknown value) restarts it after any exit,
 * {@code OnFailure} only after a non-zero exit, {@code Never} never; a container that is not
 * restarted ends the pod, {@code Succeeded} on exit code 0, {@code Failed} otherwise. Restarts wait
 * the crash backoff ({@link PodStartBackoff}, 10 s doubling to 5 min), which starts again from
 * its first wait once a container ran {@link #RESET_AFTER} without exiting.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class ContainerRestart {
    /** A container that ran this long before it exited starts the crash backoff over, as a kubelet's does. */
    static final Duration RESET_AFTER = Duration.ofMinutes(10);

    /** What follows an exit. */
    enum Outcome {
        /** Run the command again (after the crash backoff). */
        RESTART,
        /** The pod ends with phase Succeeded. */
        SUCCEEDED,
        /** The pod ends with phase Failed. */
        FAILED
    }

    private ContainerRestart() {
    }

    /** What a container of a pod with {@code restartPolicy} (null: Always) that exited with {@code exitCode} leads to. */
    static Outcome after(String restartPolicy, int exitCode) {
        final boolean restart = switch (restartPolicy == null ? "Always" : restartPolicy) {
            case "Never" -> false;
            case "OnFailure" -> exitCode != 0;
            default -> true; // Always; the API server refuses other values
        };
        if (restart) {
            return Outcome.RESTART;
        }
        return exitCode == 0 ? Outcome.SUCCEEDED : Outcome.FAILED;
    }

    /**
     * How many crashes in a row count for the backoff after this exit: one more than before, or 1
     * when the container ran at least {@link #RESET_AFTER} (the backoff starts over).
     */
    static int crashesInRow(int crashesBefore, Duration ranFor) {
        return ranFor.compareTo(RESET_AFTER) >= 0 ? 1 : crashesBefore + 1;
    }

    /** The container's terminated reason for an exit code, as a kubelet writes it. */
    static String terminatedReason(int exitCode) {
        return exitCode == 0 ? "Completed" : "Error";
    }
}
