package dev.charlstm.train;

import dev.charlstm.corpus.ChunkSampler;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link TrainingEngine#DL4J}: DL4J's own {@code fit} on each batch, its loss read back through a
 * DL4J listener. Dropout masks come from ND4J's random generator, seeded per iteration so a
 * resumed run draws the same ones.
 */
final class Dl4jFit implements FitStep {

    private final MultiLayerNetwork net;
    private final ChunkSampler sampler;
    private final long seed;
    private final SegmentLoss segmentLoss = new SegmentLoss();

    Dl4jFit(MultiLayerNetwork net, ChunkSampler sampler, long seed) {
        this.net = net;
        this.sampler = sampler;
        this.seed = seed;
        net.setListeners(segmentLoss);
    }

    @Override
    public double fit(long iteration) {
        segmentLoss.reset();
        Nd4j.getRandom().setSeed(seed + iteration); // dropout masks follow the iteration
        net.fit(sampler.batch(seed, iteration));
        return segmentLoss.mean();
    }

    @Override
    public void close() { }

    /** Averages the per-character loss over the truncated-BPTT segments of one iteration of DL4J's fit. */
    private static final class SegmentLoss extends BaseTrainingListener {
        private double sum;
        private int count;

        synchronized void reset() {
            sum = 0;
            count = 0;
        }

        synchronized double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }

        @Override
        public synchronized void iterationDone(Model model, int iteration, int epoch) {
            sum += model.score();
            count++;
        }
    }
}
