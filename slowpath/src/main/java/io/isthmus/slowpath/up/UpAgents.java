package io.isthmus.slowpath.up;

import java.io.IOException;

/** The agents {@code isthmus up} can start. */
public final class UpAgents {
    private UpAgents() {
    }

    /** The agent with the embedded API server on loopback, in this process. */
    public static UpAgent embedded(UpState state) throws IOException {
        throw new IOException("this build has no agent with an embedded API server yet (the agent and API server issues)");
    }
}
