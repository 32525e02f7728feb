/**
 * The fast path's side of desired state, one class per table library: the records the slow path
 * sent, kept by key, and the library's compiler that turns them into the immutable generations
 * {@link io.isthmus.fastpath.control.DesiredStateTables} publishes. All of it runs on the fast
 * path's control agent thread, never on a worker.
 */
package io.isthmus.fastpath.control.compile;
