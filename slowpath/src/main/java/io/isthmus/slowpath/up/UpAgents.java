package io.isthmus.slowpath.up;

import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.WorkerThread;

/** The agents {@code isthmus up} can start. */
public final class UpAgents {
    private UpAgents() {
    }

    /** The node agent behind the embedded API server on loopback, in this process ({@link EmbeddedUpAgent}). */
    public static UpAgent.Launcher embedded(String nodeName, String hostIp) {
        return embedded(nodeName, hostIp, IdleMode.NODE_DEFAULT, WorkerThread.NODE);
    }

    /** As {@link #embedded(String, String)}, its fast-path worker idling and placed as given. */
    public static UpAgent.Launcher embedded(String nodeName, String hostIp, IdleMode idle, WorkerThread workerThread) {
        return embedded(nodeName, hostIp, idle, workerThread, null);
    }

    /** As {@link #embedded(String, String, IdleMode, WorkerThread)}, with the interface {@code uplink} (null: none) as the node's uplink. */
    public static UpAgent.Launcher embedded(String nodeName, String hostIp, IdleMode idle, WorkerThread workerThread, String uplink) {
        return state -> EmbeddedUpAgent.start(state, nodeName, hostIp, idle, workerThread, uplink);
    }
}
