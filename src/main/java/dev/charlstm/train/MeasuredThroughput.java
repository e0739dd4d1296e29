package dev.charlstm.train;

import dev.charlstm.model.Backend;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

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
            int[][] windows = new int[rows][steps + 1];
            SplittableRandom random = new SplittableRandom(candidate.seed());
            for (int[] row : windows) {
                for (int t = 0; t <= steps; t++) {
                    row[t] = random.nextInt(vocabulary);
                }
            }
            if (engine == TrainingEngine.DL4J) {
                DataSet data = dl4jSegment(windows);
                return (double) rows * steps / best(() -> net.fit(data));
            }
            int threads = Trainer.blasThreads(candidate, rows, cores);
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

    /** The same segment as DL4J's fit takes it: ids [rows, 1, steps], one-hot targets [rows, vocabulary, steps]. */
    private DataSet dl4jSegment(int[][] windows) {
        int rows = windows.length;
        int steps = windows[0].length - 1;
        float[] x = new float[rows * steps];
        float[] y = new float[rows * vocabulary * steps];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < steps; t++) {
                x[b * steps + t] = windows[b][t];
                y[(b * vocabulary + windows[b][t + 1]) * steps + t] = 1f;
            }
        }
        return new DataSet(Nd4j.create(x, new long[] {rows, 1, steps}, 'c'),
                Nd4j.create(y, new long[] {rows, vocabulary, steps}, 'c'));
    }

    private static double time(Runnable segment) {
        long start = System.nanoTime();
        segment.run();
        return Math.max(1e-6, (System.nanoTime() - start) / 1e9);
    }
}
