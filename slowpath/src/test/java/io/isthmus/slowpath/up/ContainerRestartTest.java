package io.isthmus.slowpath.up;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kubelet's decision after a container exits: restart policy x exit code, and the crash count the backoff uses. */
class ContainerRestartTest {
    @ParameterizedTest(name = "restartPolicy {0}, exit code {1} -> {2}")
    @CsvSource(nullValues = "null", value = {
            "Always, 0, RESTART",
            "Always, 1, RESTART",
            "Always, 137, RESTART",
            "null, 0, RESTART",
            "null, 2, RESTART",
            "OnFailure, 0, SUCCEEDED",
            "OnFailure, 1, RESTART",
            "OnFailure, -1, RESTART",
            "Never, 0, SUCCEEDED",
            "Never, 1, FAILED",
            "Never, 128, FAILED",
    })
    void decidesByPolicyAndExitCode(String policy, int exitCode, ContainerRestart.Outcome expected) {
        assertEquals(expected, ContainerRestart.after(policy, exitCode));
    }

    @Test
    void crashesCountUpUntilARunLastsTenMinutes() {
        assertEquals(1, ContainerRestart.crashesInRow(0, Duration.ofMillis(5)));
        assertEquals(4, ContainerRestart.crashesInRow(3, Duration.ofMinutes(9).plusSeconds(59)));
        assertEquals(1, ContainerRestart.crashesInRow(7, Duration.ofMinutes(10)), "a run of 10 min starts the backoff over");
        assertEquals(1, ContainerRestart.crashesInRow(7, Duration.ofHours(2)));
    }

    @Test
    void theBackoffOfCrashesInARowIsTheKubeletsTenSecondsDoublingToFiveMinutes() {
        int crashes = 0;
        final long[] expectedSeconds = {10, 20, 40, 80, 160, 300, 300};
        for (long seconds : expectedSeconds) {
            crashes = ContainerRestart.crashesInRow(crashes, Duration.ofSeconds(1));
            assertEquals(Duration.ofSeconds(seconds), PodStartBackoff.KUBELET.delayAfter(crashes), "crash " + crashes);
        }
        crashes = ContainerRestart.crashesInRow(crashes, Duration.ofMinutes(11));
        assertEquals(Duration.ofSeconds(10), PodStartBackoff.KUBELET.delayAfter(crashes), "after a long run: 10 s again");
    }

    @Test
    void terminatedReasonsAreTheKubelets() {
        assertEquals("Completed", ContainerRestart.terminatedReason(0));
        assertEquals("Error", ContainerRestart.terminatedReason(3));
        assertEquals("Error", ContainerExit.exited(1, java.time.Instant.EPOCH, java.time.Instant.EPOCH).reason());
        assertEquals(128, ContainerExit.startError("gone", java.time.Instant.EPOCH).exitCode());
        assertEquals("StartError", ContainerExit.startError("gone", java.time.Instant.EPOCH).reason());
    }
}
