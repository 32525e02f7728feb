package io.isthmus.fastpath.pipeline;

/**
 * One step of the fast path, applied to a whole {@link PacketBatch} at a time (VPP-style vector
 * processing). A stage works in passes over the batch — compute for every packet, then look up for
 * every packet, then act on every packet — so memory latency of one packet overlaps the work on the
 * others and the loops stay simple enough for C2 to unroll.
 *
 * <p><b>Contract.</b> Each implementation's Javadoc says what it <b>reads</b> (headers, batch
 * metadata, tables), what it <b>writes</b>, and where a packet can <b>go next</b>: stay in the batch
 * for the following stage, or leave it. A packet leaves only by being dropped: the stage calls
 * {@link PipelineContext#drop} (which counts the {@link DropReason}, counts the ingress port's
 * {@code RX_DROPPED} and returns the frame to the worker's {@code FramePool}) and compacts the
 * batch in place, keeping the survivors' order; or by the TX stage handing the frame to a port.
 *
 * <p>Steady state: no allocation, no exceptions, no locks.
 *
 * <p><b>Thread-safety:</b> a stage instance belongs to one worker thread.
 */
public interface Stage {

    /** Processes the batch in place; returns the number of packets left in it ({@code batch.size()}). */
    int process(PacketBatch batch);
}
