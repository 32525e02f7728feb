package io.isthmus.slowpath.up;

/** The agents {@code isthmus up} can start. */
public final class UpAgents {
    private UpAgents() {
    }

    /** The node agent behind the embedded API server on loopback, in this process ({@link EmbeddedUpAgent}). */
    public static UpAgent.Launcher embedded(String nodeName, String hostIp) {
        return state -> EmbeddedUpAgent.start(state, nodeName, hostIp);
    }
}
