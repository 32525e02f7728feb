package io.isthmus.fastpath.pipeline;

/**
 * An ordered list of {@link Stage}s that a batch goes through. Stops early once a stage leaves the
 * batch empty.
 *
 * <p><b>Thread-safety:</b> belongs to one worker thread, like its stages.
 */
public final class Pipeline {
    private final Stage[] stages;

    public Pipeline(Stage... stages) {
        this.stages = stages.clone();
    }

    /** Runs every stage over {@code batch}; returns the packets left after the last stage (0 after TX). */
    public int run(PacketBatch batch) {
        int left = batch.size();
        for (int s = 0; s < stages.length && left > 0; s++) {
            left = stages[s].process(batch);
        }
        return left;
    }

    public int stageCount() {
        return stages.length;
    }
}
