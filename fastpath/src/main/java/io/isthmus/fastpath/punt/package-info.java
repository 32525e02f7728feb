/**
 * Frames between the fast path and the slow path, per worker.
 *
 * <pre>
 *   worker thread                                   slow-path thread(s)
 *   stage: punts.offer(umem, frame, len, port) ───▶ punts.drain(handler, limit)     (PuntQueue, one-to-one)
 *          frame back to the pool at once                 │ e.g. DnsForwarder: ask upstream, build the reply
 *   duty cycle: injects.transmitInto(context, n) ◀─── injects.offer(bytes, egressPort) (InjectQueue, many-to-one)
 *          pool frame ← copy → port.transmit
 * </pre>
 *
 * {@link io.isthmus.fastpath.punt.PuntQueue} and {@link io.isthmus.fastpath.punt.InjectQueue} are
 * bounded rings of frame copies ({@link io.isthmus.fastpath.punt.PuntDescriptor}) over off-heap
 * memory (Agrona ring buffers); both sides are allocation-free and count what they refuse.
 * {@link io.isthmus.fastpath.punt.PuntChannel} pairs one worker's two queues;
 * {@link io.isthmus.fastpath.punt.UdpReplyFrame} turns a UDP request frame into its reply in place.
 */
package io.isthmus.fastpath.punt;
