package dev.charlstm.model;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Softmax cross-entropy averaged per character rather than summed over a sequence.
 *
 * <p>DL4J's recurrent output layer sums the loss over time steps and divides by the number of
 * sequences only, so its loss and gradients grow with the segment length. Dividing by the
 * segment length (the truncated-BPTT length, which every training segment has) gives the
 * per-character loss that char-RNN write-ups and the PyTorch reference report, and keeps the
 * gradient-clipping threshold meaningful whatever the segment length.
 */
public class PerCharacterCrossEntropy extends LossMCXENT {

    @JsonProperty("sequenceLength")
    private int sequenceLength;

    /** For DL4J's JSON deserialiser. */
    public PerCharacterCrossEntropy() {
        this(1);
    }

    public PerCharacterCrossEntropy(@JsonProperty("sequenceLength") int sequenceLength) {
        if (sequenceLength < 1) {
            throw new IllegalArgumentException("sequence length must be positive, got " + sequenceLength);
        }
        this.sequenceLength = sequenceLength;
    }

    public int getSequenceLength() {
        return sequenceLength;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        return super.computeScore(labels, preOutput, activationFn, mask, average) / sequenceLength;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return super.computeScoreArray(labels, preOutput, activationFn, mask).divi(sequenceLength);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return super.computeGradient(labels, preOutput, activationFn, mask).divi(sequenceLength);
    }

    @Override
    public String name() {
        return "PerCharacterCrossEntropy(" + sequenceLength + ")";
    }

    @Override
    public String toString() {
        return name();
    }
}
