package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.fastpath.port.Port;

/**
 * Hands every packet to its egress port's transmit queue (published later by the port's
 * {@code flush()}, once per duty cycle).
 *
 * <p><b>Reads:</b> batch {@code address}, {@code length}, {@code egressPort}.
 * <br><b>Writes:</b> nothing of the frame; the port takes ownership of the frames it accepted.
 * <br><b>Next:</b> every packet leaves the batch: queued on its port, or — when the port's ring is
 * full — dropped TX_RING_FULL (the port counts its own TX_RING_FULL too). The batch is empty after.
 */
public final class TransmitStage implements Stage {
    private final PipelineContext context;

    public TransmitStage(PipelineContext context) {
        this.context = context;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        for (int i = 0; i < size; i++) {
            final Port port = context.port(batch.egressPort[i]);
            if (!port.transmit(batch.address[i], batch.length[i])) {
                context.drop(batch, i, DropReason.TX_RING_FULL);
            }
        }
        batch.size(0);
        return 0;
    }
}
