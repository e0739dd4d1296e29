package dev.charlstm.train;

import dev.charlstm.corpus.ChunkSampler;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * {@link TrainingEngine#BLAS} and {@link TrainingEngine#ND4J}: the exact truncated-BPTT gradient
 * of {@link TruncatedBptt}, on the batches of all workers side by side.
 */
final class TruncatedFit implements FitStep {

    private final TruncatedBptt fit;
    private final ChunkSampler sampler;
    private final long seed;
    private final int batch;
    private final int workers;

    TruncatedFit(MultiLayerNetwork net, TrainingEngine engine, TrainConfig config, ChunkSampler sampler, int threads) {
        this.fit = new TruncatedBptt(net, engine, config.batchSize() * config.workers(), config.tbpttLength(), threads);
        this.sampler = sampler;
        this.seed = config.seed();
        this.batch = config.batchSize();
        this.workers = config.workers();
    }

    @Override
    public double fit(long iteration) {
        return fit.fit(windows(iteration), seed + iteration);
    }

    /**
     * The chunks of one step: with N workers, batches {@code i·N} to {@code i·N + N - 1} side by
     * side, so the step averages the gradient over all of them, as synchronous data-parallel
     * training with gradient averaging does.
     */
    private int[][] windows(long iteration) {
        if (workers == 1) {
            return sampler.windows(seed, iteration);
        }
        int[][] all = new int[batch * workers][];
        for (int w = 0; w < workers; w++) {
            System.arraycopy(sampler.windows(seed, iteration * workers + w), 0, all, w * batch, batch);
        }
        return all;
    }

    @Override
    public void close() {
        fit.close();
    }
}
