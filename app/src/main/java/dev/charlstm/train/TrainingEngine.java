package dev.charlstm.train;

import dev.charlstm.corpus.ChunkSampler;
import dev.charlstm.model.Backend;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * What computes the training gradient, chosen once per run from the {@code engine} key and the
 * ND4J backend that is loaded.
 *
 * <ul>
 *   <li>{@link #BLAS}: {@link BlasLstm}, OpenBLAS products with the batch split across the cores
 *       (CPU backend only);</li>
 *   <li>{@link #ND4J}: {@link Nd4jLstm}, the same gradient in ND4J operations, for any backend
 *       (cuBLAS on CUDA);</li>
 *   <li>{@link #DL4J}: DL4J's own {@code LSTM} layer and {@code fit}. Its gradient is wrong on
 *       every truncated-BPTT segment after the first, so it is only allowed where a chunk is a
 *       single segment.</li>
 * </ul>
 * {@code auto}, the default, is {@link #BLAS} on the CPU and {@link #ND4J} elsewhere.
 *
 * <p>Chosen once per run; the trainer then asks the engine for its threads and its fit step
 * instead of testing which one it has.
 */
enum TrainingEngine {
    BLAS, ND4J, DL4J;

    /** The name as the configuration and {@code metrics.json} spell it. */
    String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The engine that runs for a configuration on a backend.
     *
     * @param backend {@code "cpu"}, {@code "cuda"}, … ({@link Backend#name()})
     * @throws IllegalArgumentException when the configured engine cannot run here, or would train
     *                                  with DL4J's wrong truncated gradient
     */
    static TrainingEngine choose(TrainConfig config, String backend) {
        TrainingEngine engine = switch (config.engine()) {
            case AUTO -> backend.equals("cpu") ? BLAS : ND4J;
            case BLAS -> BLAS;
            case ND4J -> ND4J;
            case DL4J -> DL4J;
        };
        if (engine == BLAS && !backend.equals("cpu")) {
            throw new IllegalArgumentException("engine 'blas' runs on the CPU backend only, and this one is '" + backend
                    + "'; use engine 'auto' or 'nd4j'");
        }
        if (engine == DL4J && config.chunkLength() > config.tbpttLength()) {
            throw new IllegalArgumentException("engine 'dl4j' computes a wrong gradient on every truncated-BPTT segment "
                    + "after the first (DL4J 1.0.0-M2.1); use engine 'auto', or set chunk_length equal to tbptt_length");
        }
        if (engine == DL4J && config.workers() > 1) {
            throw new IllegalArgumentException("engine 'dl4j' runs one worker; use engine 'auto' with workers > 1");
        }
        return engine;
    }

    /**
     * Opens this engine's training step on {@code net}, drawing its chunks from {@code sampler}.
     *
     * @param threads what {@link #threads} gives for the run
     */
    FitStep open(MultiLayerNetwork net, TrainConfig config, ChunkSampler sampler, int threads) {
        return this == DL4J ? new Dl4jFit(net, sampler, config.seed())
                : new TruncatedFit(net, this, config, sampler, threads);
    }

    /** The threads the engine trains with: batch shards for {@link #BLAS}, ND4J's threads otherwise. */
    int threads(TrainConfig config) {
        return this == BLAS
                ? blasThreads(config, config.batchSize() * config.workers(), Runtime.getRuntime().availableProcessors())
                : Backend.threads();
    }

    /**
     * Unless configured, one shard per core, but none thinner than {@value #MIN_SHARD_ROWS} rows:
     * below that a matrix product per time step costs about as much as a wider one.
     */
    static int blasThreads(TrainConfig config, int rows, int cores) {
        if (config.threads() > 0) {
            return config.threads();
        }
        return Math.max(1, Math.min(cores, rows / MIN_SHARD_ROWS));
    }

    static final int MIN_SHARD_ROWS = 16;
}
