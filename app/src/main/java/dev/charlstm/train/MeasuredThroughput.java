package dev.charlstm.train;

import dev.charlstm.corpus.ChunkSampler;
import dev.charlstm.model.Backend;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Measures a configuration's training throughput by timing a few truncated-BPTT segments of a
 * freshly built network of that shape on the engine the run would use: one to warm up (the
 * allocators, BLAS's buffers), then the best of {@value #TIMED} timed ones. Before the first
 * candidate it runs segments for {@value #JIT_WARM_UP_SECONDS} s, so the JIT has compiled the
 * engine's loops before anything is timed (measured without it, the first candidates came out at
 * half their speed in a run). Random characters serve: the cost of a segment does not depend on
 * the text.
 *
 * <p>A segment of the largest candidate takes well under a second on two cores, so a plan's
 * probe takes a few seconds in all. A segment that alone takes longer than
 * {@value #SLOW_SECONDS} s is not repeated: the warm-up time stands for it.
 */
final class MeasuredThroughput implements ThroughputProbe {

    static final int TIMED = 2;
    static final double SLOW_SECONDS = 2.0;
    /** Seconds the first candidate runs before anything is timed: C2 needs that long to compile the engine's loops. */
    static final double JIT_WARM_UP_SECONDS = 1.5;

    private boolean warmedUp;

    private final int vocabulary;
    private final int cores;

    MeasuredThroughput(int vocabulary, int cores) {
        this.vocabulary = vocabulary;
        this.cores = cores;
    }

    @Override
    public double charsPerSecond(TrainConfig candidate) {
        MultiLayerNetwork net = NetworkFactory.build(candidate, vocabulary);
        try {
            TrainingEngine engine = TrainingEngine.choose(candidate, Backend.name());
            int rows = candidate.batchSize() * candidate.workers();
            int steps = candidate.tbpttLength();
            // One segment of random text, as the sampler would draw it: the cost does not depend on the text.
            SplittableRandom random = new SplittableRandom(candidate.seed());
            ChunkSampler sampler = new ChunkSampler(random.ints(rows * (steps + 1L), 0, vocabulary).toArray(),
                    vocabulary, steps, rows);
            if (engine == TrainingEngine.DL4J) {
                DataSet data = sampler.batch(candidate.seed(), 0);
                return (double) rows * steps / best(() -> net.fit(data));
            }
            int[][] windows = sampler.windows(candidate.seed(), 0);
            int threads = TrainingEngine.blasThreads(candidate, rows, cores);
            try (TruncatedBptt fit = new TruncatedBptt(net, engine, rows, steps, threads)) {
                long[] seed = {0};
                Runnable segment = () -> fit.fit(windows, seed[0]++);
                if (!warmedUp) {
                    long until = System.nanoTime() + (long) (JIT_WARM_UP_SECONDS * 1e9);
                    while (System.nanoTime() < until) {
                        segment.run();
                    }
                    warmedUp = true;
                }
                return (double) rows * steps / best(segment);
            }
        } finally {
            net.close(); // its weights, gradient and Adam state live off the heap: free them now, not at GC
        }
    }

    /** The time of one segment: the warm-up call alone when it was slow, else the best timed one after it. */
    private static double best(Runnable segment) {
        double best = time(segment);
        if (best < SLOW_SECONDS) {
            best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < TIMED; i++) {
                best = Math.min(best, time(segment));
            }
        }
        return best;
    }

    private static double time(Runnable segment) {
        long start = System.nanoTime();
        segment.run();
        return Math.max(1e-6, (System.nanoTime() - start) / 1e9);
    }
}
