package io.isthmus.fastpath.punt;

/**
 * One worker's pair of queues to and from the slow path: what it punts, and where replies to
 * those frames go back in (port ids in both are that worker's).
 *
 * <p><b>Thread-safety:</b> see {@link PuntQueue} (one producer: the worker; one consumer) and
 * {@link InjectQueue} (any producers; one consumer: the worker).
 */
public record PuntChannel(PuntQueue punts, InjectQueue injects) {
}
