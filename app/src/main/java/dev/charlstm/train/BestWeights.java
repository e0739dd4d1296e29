package dev.charlstm.train;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.generate.InvalidModelException;
import dev.charlstm.model.ModelFile;
import java.io.IOException;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The best weights of the run: kept in memory when a validation beats the best so far, written
 * to {@code best.zip} at the next checkpoint (a large network's zip can cost more than the
 * validation), and handed back at the end for the final model.
 */
final class BestWeights {

    private static final Logger log = LoggerFactory.getLogger(BestWeights.class);

    private final MultiLayerNetwork net;
    private final Path file;
    private INDArray params;
    private Snapshot unsaved;

    /** @param file where the best checkpoint goes ({@code checkpoints/best.zip}) */
    BestWeights(MultiLayerNetwork net, Path file) {
        this.net = net;
        this.file = file;
    }

    /** The best model's weights, the optimiser state and the run state at the time it was measured. */
    private record Snapshot(INDArray params, INDArray updater, ModelMetadata metadata, byte[] state) {}

    /** Takes the network's weights now as the best, with the metadata and run state that describe them. */
    void remember(ModelMetadata metadata, byte[] state) {
        params = net.params().dup();
        unsaved = new Snapshot(params, net.getUpdater().getStateViewArray().dup(), metadata, state);
    }

    /** Writes the best weights to {@code best.zip} if they are newer than the file. */
    void writeUnsaved() throws IOException {
        if (unsaved != null) {
            MultiLayerNetwork best = net.clone();
            best.setParams(unsaved.params());
            best.getUpdater().getStateViewArray().assign(unsaved.updater());
            ModelFile.saveCheckpoint(file, best, unsaved.metadata(), unsaved.state());
            unsaved = null;
        }
    }

    /**
     * The network with the best weights seen, from memory or (resumed before beating it) from
     * {@code best.zip}; null, with the reason logged, when neither has them.
     */
    MultiLayerNetwork network() {
        if (params != null) {
            MultiLayerNetwork best = net.clone();
            best.setParams(params);
            return best;
        }
        try {
            return ModelFile.load(file).network();
        } catch (InvalidModelException e) {
            log.error("The best weights are not in memory and cannot be reloaded ({}); no model.zip written",
                    e.getMessage());
            return null;
        }
    }
}
