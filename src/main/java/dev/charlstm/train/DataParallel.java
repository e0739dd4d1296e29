package dev.charlstm.train;

import dev.charlstm.corpus.ChunkSampler;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One training iteration on several workers: DL4J's {@link ParallelWrapper} gives each worker its
 * own batch, each fits it with truncated BPTT on its own copy of the network, and then the
 * weights and Adam moments are averaged back into {@code net}. So an iteration with N workers is
 * one synchronous step on N × {@code batch_size} chunks.
 *
 * <p>Worker {@code w} of iteration {@code i} gets batch {@code i·N + w}, so the data a run sees is
 * still fixed by the seed. The result is not bit-for-bit reproducible, though: in DL4J 1.0.0-M2.1
 * each {@code fit} starts fresh worker threads, and a worker copies the network while worker 0
 * may already be training it (docs/scaling.md).
 */
final class DataParallel implements AutoCloseable {

    private final ParallelWrapper wrapper;
    private final int workers;

    DataParallel(MultiLayerNetwork net, int workers, TrainingListener listener) {
        if (workers < 2) {
            throw new IllegalArgumentException("data-parallel training needs at least 2 workers, got " + workers);
        }
        this.workers = workers;
        this.wrapper = new ParallelWrapper.Builder<>(net)
                .workers(workers)
                .trainingMode(ParallelWrapper.TrainingMode.AVERAGING)
                .averagingFrequency(1)     // average after every batch: one synchronous step per iteration
                .averageUpdaters(true)     // Adam's moments too, so checkpoints resume the same optimiser
                .prefetchBuffer(0)         // the batches are already in memory
                .build();
        // Workers replace the network's listeners with the wrapper's, so the loss listener goes here.
        wrapper.setListeners(List.of(listener));
    }

    /** Fits iteration {@code iteration}'s N batches, one per worker, and averages. */
    void fit(ChunkSampler sampler, long seed, long iteration) {
        List<DataSet> batches = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            batches.add(sampler.batch(seed, iteration * workers + w));
        }
        wrapper.fit(new ListDataSetIterator<>(batches, 1)); // 1: one DataSet per worker, not merged
    }

    @Override
    public void close() {
        wrapper.shutdown();
    }
}
