package io.isthmus.conntrack;

import java.util.Arrays;

/**
 * Timeout in seconds per {@link ConntrackState}. Defaults are Linux nf_conntrack's; the owner
 * writes them into the file header so that another process (the CLI) computes the same expiry.
 * Thread-safety: mutable while being configured, then handed to {@link ConntrackTable} which
 * copies it; not shared.
 */
public final class ConntrackTimeouts {

    private final int[] timeoutsS = new int[ConntrackDescriptor.TIMEOUT_SLOTS];

    private ConntrackTimeouts() {
        for (ConntrackState state : ConntrackState.values()) {
            timeoutsS[state.id()] = state.defaultTimeoutS();
        }
    }

    public static ConntrackTimeouts linuxDefaults() {
        return new ConntrackTimeouts();
    }

    public ConntrackTimeouts with(ConntrackState state, int timeoutS) {
        if (timeoutS < 0) {
            throw new IllegalArgumentException("timeout for " + state + " must be >= 0 s, got " + timeoutS);
        }
        timeoutsS[state.id()] = timeoutS;
        return this;
    }

    public int timeoutS(ConntrackState state) {
        return timeoutsS[state.id()];
    }

    int[] copy() {
        return Arrays.copyOf(timeoutsS, timeoutsS.length);
    }
}
