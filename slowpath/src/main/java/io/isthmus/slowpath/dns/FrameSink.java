package io.isthmus.slowpath.dns;

/**
 * Where the forwarder sends a finished reply frame: the inject queue of the worker that punted the
 * query ({@code InjectQueue::offer}), or a stream that carries it there (Aeron).
 */
@FunctionalInterface
public interface FrameSink {
    /** Queues {@code frame} to leave by {@code egressPort}; false when it was refused (full). */
    boolean send(byte[] frame, int egressPort);
}
