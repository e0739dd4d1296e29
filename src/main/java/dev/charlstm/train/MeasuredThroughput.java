package dev.charlstm.train;

import dev.charlstm.model.Backend;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Measures a configuration's training throughput by timing a few truncated-BPTT segments of a
 * freshly built network of that shape on the engine the run would use: one to warm up (the
 * JIT, the allocators, BLAS's buffers), then the best of {@value #TIMED} timed ones. Random
 * characters serve: the cost of a segment does not depend on the text.
 *
 * <p>A segment of the largest candidate takes well under a second on two cores, so a plan's
 * probe takes a few seconds in all. A segment that alone takes longer than
 * {@value #SLOW_SECONDS} s is not repeated: the warm-up time stands for it.
 */
final class MeasuredThroughput implements ThroughputProbe {

    static final int TIMED = 2;
    static final double SLOW_SECONDS = 2.0;

    private final int vocabulary;
    private final int cores;

    MeasuredThroughput(int vocabulary, int cores) {
        this.vocabulary = vocabulary;
        this.cores = cores;
    }

    @Override
    public double charsPerSecond(TrainConfig candidate) {
        MultiLayerNetwork net = NetworkFactory.build(candidate, vocabulary);
        TrainingEngine engine = TrainingEngine.choose(candidate, Backend.name());
        if (engine == TrainingEngine.DL4J) {
            engine = TrainingEngine.BLAS; // the probe only needs the cost of a segment of this shape
        }
        int rows = candidate.batchSize() * candidate.workers();
        int steps = candidate.tbpttLength();
        int threads = Trainer.blasThreads(candidate, rows, cores);
        int[][] windows = new int[rows][steps + 1];
        SplittableRandom random = new SplittableRandom(candidate.seed());
        for (int[] row : windows) {
            for (int t = 0; t <= steps; t++) {
                row[t] = random.nextInt(vocabulary);
            }
        }
        try (TruncatedBptt fit = new TruncatedBptt(net, engine, rows, steps, threads)) {
            double best = time(fit, windows, 0);
            if (best < SLOW_SECONDS) {
                best = Double.POSITIVE_INFINITY;
                for (int i = 1; i <= TIMED; i++) {
                    best = Math.min(best, time(fit, windows, i));
                }
            }
            return (double) rows * steps / best;
        }
    }

    private static double time(TruncatedBptt fit, int[][] windows, long seed) {
        long start = System.nanoTime();
        fit.fit(windows, seed);
        return Math.max(1e-6, (System.nanoTime() - start) / 1e9);
    }
}
