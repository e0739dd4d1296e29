package dev.charlstm.corpus;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random text chunks as training minibatches, reproducible from a seed and an iteration number.
 *
 * <p>Each batch row is a chunk of {@code chunkLength + 1} consecutive characters from a uniformly
 * random start: the first {@code chunkLength} are the input, the last {@code chunkLength} the
 * targets. Features are indices shaped {@code [batch, 1, chunk]} for the embedding layer; labels
 * are one-hot {@code [batch, vocabulary, chunk]}. The same (seed, iteration) always gives the same
 * batch, which is what lets a resumed run continue exactly where a checkpoint left it.
 *
 * <pre>{@code
 * ChunkSampler sampler = new ChunkSampler(split.train(), 100, 200, 32);
 * DataSet batch = sampler.batch(123, 0);
 * }</pre>
 */
public final class ChunkSampler {

    private final int[] ids;
    private final int vocabularySize;
    private final int chunkLength;
    private final int batchSize;

    public ChunkSampler(int[] ids, int vocabularySize, int chunkLength, int batchSize) {
        if (chunkLength < 1 || batchSize < 1) {
            throw new IllegalArgumentException("chunk length and batch size must be positive");
        }
        if (ids.length < chunkLength + 1) {
            throw new IllegalArgumentException("the training text has " + ids.length
                    + " characters, fewer than one chunk of " + (chunkLength + 1));
        }
        this.ids = ids;
        this.vocabularySize = vocabularySize;
        this.chunkLength = chunkLength;
        this.batchSize = batchSize;
    }

    /** Chunk start positions for one iteration: the only randomness in a batch. */
    int[] starts(long seed, long iteration) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + iteration);
        int[] starts = new int[batchSize];
        for (int b = 0; b < batchSize; b++) {
            starts[b] = random.nextInt(ids.length - chunkLength);
        }
        return starts;
    }

    public DataSet batch(long seed, long iteration) {
        int[] starts = starts(seed, iteration);
        float[] features = new float[batchSize * chunkLength];
        float[] labels = new float[batchSize * vocabularySize * chunkLength];
        for (int b = 0; b < batchSize; b++) {
            for (int t = 0; t < chunkLength; t++) {
                features[b * chunkLength + t] = ids[starts[b] + t];
                int target = ids[starts[b] + t + 1];
                labels[(b * vocabularySize + target) * chunkLength + t] = 1f;
            }
        }
        INDArray x = Nd4j.create(features, new long[] {batchSize, 1, chunkLength}, 'c');
        INDArray y = Nd4j.create(labels, new long[] {batchSize, vocabularySize, chunkLength}, 'c');
        return new DataSet(x, y);
    }

    /**
     * The batch {@link #batch} builds, as character ids: {@code [batch][chunk + 1]}, where positions
     * [0, chunk) are the inputs and [1, chunk] their targets.
     */
    public int[][] windows(long seed, long iteration) {
        int[] starts = starts(seed, iteration);
        int[][] windows = new int[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            windows[b] = Arrays.copyOfRange(ids, starts[b], starts[b] + chunkLength + 1);
        }
        return windows;
    }

    public int charactersPerBatch() {
        return batchSize * chunkLength;
    }
}
