package dev.charlstm.train;

import dev.charlstm.model.PerCharacterCrossEntropy;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * Builds the char-RNN: embedding → LSTM × layers → fully connected softmax, trained with truncated BPTT.
 *
 * <pre>{@code
 * MultiLayerNetwork net = NetworkFactory.build(TrainConfig.defaults(), Vocabulary.printable().size());
 * }</pre>
 */
final class NetworkFactory {

    private NetworkFactory() {}

    /**
     * DL4J's updater counts segments: {@code constant} is a step decay ({@code lr_decay} every
     * {@code lr_decay_every} iterations, 1.0 = constant); {@code cosine} warms up over the first 5%
     * of the run and decays to a tenth of the rate at {@code lr_schedule_end} (0: at
     * {@code iterations}).
     */
    static ISchedule learningRate(TrainConfig c, int segmentsPerIteration) {
        if (c.lrSchedule() == TrainConfig.LrSchedule.COSINE) {
            long iterations = c.lrScheduleEnd() > 0 ? c.lrScheduleEnd() : c.iterations();
            int total = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(2, iterations * segmentsPerIteration));
            return new WarmupCosineSchedule(c.learningRate(), total / 20, total, 0.1);
        }
        return new StepSchedule(ScheduleType.ITERATION, c.learningRate(), c.lrDecay(),
                (double) c.lrDecayEvery() * segmentsPerIteration);
    }

    public static MultiLayerNetwork build(TrainConfig c, int vocabularySize) {
        // DL4J counts an iteration per truncated-BPTT segment; the config counts chunk batches.
        int segmentsPerIteration = c.chunkLength() / c.tbpttLength();
        var adam = new Adam(learningRate(c, segmentsPerIteration));
        var builder = new NeuralNetConfiguration.Builder()
                .seed(c.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(adam);
        if (c.weightDecay() > 0) {
            builder.weightDecay(c.weightDecay()); // weights only, not biases; DL4J's updater applies it after Adam
        }
        if (c.gradClip() > 0) {
            builder.gradientNormalization(GradientNormalization.ClipL2PerLayer)
                    .gradientNormalizationThreshold(c.gradClip());
        }
        var layers = builder.list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(vocabularySize).nOut(c.embeddingSize()).build());
        for (int i = 0; i < c.layers(); i++) {
            var lstm = new LSTM.Builder()
                    .nIn(i == 0 ? c.embeddingSize() : c.hiddenSize())
                    .nOut(c.hiddenSize())
                    .activation(Activation.TANH);
            if (i > 0 && c.dropout() > 0) {
                lstm.dropOut(1 - c.dropout()); // DL4J takes the probability of keeping a unit
            }
            layers.layer(lstm.build());
        }
        var output = new RnnOutputLayer.Builder(new PerCharacterCrossEntropy(c.tbpttLength()))
                .activation(Activation.SOFTMAX)
                .nIn(c.hiddenSize())
                .nOut(vocabularySize)
                .dataFormat(RNNFormat.NCW);
        if (c.dropout() > 0) {
            output.dropOut(1 - c.dropout());
        }
        MultiLayerConfiguration conf = layers.layer(output.build())
                .setInputType(InputType.recurrent(vocabularySize))
                .backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(c.tbpttLength())
                .tBPTTBackwardLength(c.tbpttLength())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
