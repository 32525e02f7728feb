package io.isthmus.slowpath.agent;

import io.isthmus.fastpath.control.FastpathControl;

/**
 * The hook where the slow path (the reconcilers that turn Kubernetes objects into desired records)
 * plugs into an agent: {@link #start} hands it a {@link FastpathControl} connected to the fast path
 * (over Aeron IPC); it resynchronises ({@code beginSync}, every record, {@code endSync}) and then
 * sends changes. {@link #stop} ends it; a restart is stop, a new connection, start.
 *
 * <p><b>Thread-safety:</b> start and stop from the agent's owning thread.
 */
public interface SlowPath {

    void start(FastpathControl control) throws Exception;

    void stop();

    /** No slow path: the node switches pods by CNI alone (no Services, policies or DNS records). */
    SlowPath NONE = new SlowPath() {
        @Override
        public void start(FastpathControl control) {
        }

        @Override
        public void stop() {
        }
    };
}
