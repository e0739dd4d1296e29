package dev.charlstm.train;

import dev.charlstm.model.ParameterLayout;
import dev.charlstm.network.Gate;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The same truncated-BPTT gradient as {@link BlasLstm}, written in ND4J operations only, so it
 * runs on whatever backend ND4J has loaded: matrix products are {@code mmul}, which is cuBLAS on the
 * CUDA backend and OpenBLAS on the CPU.
 *
 * <p>It follows {@link BlasLstm} step for step: the embedding and the first LSTM layer's input
 * weights fold into one table of per-character gate inputs (here picked out by a product with the
 * one-hot inputs, which is a gather that every backend has), the gates are in DL4J's order (block
 * input, forget, output, input gate), dropout masks come from {@link DropoutMasks}, and the loss
 * and gradient follow DL4J's conventions (summed over the batch, divided by the configured
 * sequence length). It does not shard the batch: on a GPU one wide product beats several narrow
 * ones. Activations are kept per time step, as arrays of the backend.
 */
final class Nd4jLstm implements SegmentGradient {

    private final ParameterLayout p;
    private final MultiLayerNetwork net;
    private final Map<String, INDArray> gradients;
    private final int batch;
    private final int maxSteps;
    private final float lossScale;
    private final INDArray[] carriedH;
    private final INDArray[] carriedC;

    /**
     * @param gradients the network's gradient views keyed {@code "<layer>_<param>"}, as DL4J's
     *                  updater reads them
     */
    Nd4jLstm(MultiLayerNetwork net, ParameterLayout layout, Map<String, INDArray> gradients, int batch, int maxSteps,
             int lossSequenceLength) {
        if (batch < 1 || maxSteps < 1 || lossSequenceLength < 1) {
            throw new IllegalArgumentException("batch, steps and sequence length must be positive");
        }
        this.p = layout;
        this.net = net;
        this.gradients = gradients;
        this.batch = batch;
        this.maxSteps = maxSteps;
        this.lossScale = 1f / lossSequenceLength;
        this.carriedH = new INDArray[layout.layers()];
        this.carriedC = new INDArray[layout.layers()];
        resetState();
    }

    @Override
    public void resetState() {
        for (int l = 0; l < p.layers(); l++) {
            carriedH[l] = Nd4j.zeros(DataType.FLOAT, batch, p.hidden());
            carriedC[l] = Nd4j.zeros(DataType.FLOAT, batch, p.hidden());
        }
    }

    @Override
    public double compute(int[][] inputs, int[][] targets, int steps, long seed) {
        if (inputs.length != batch || targets.length != batch || steps < 1 || steps > maxSteps) {
            throw new IllegalArgumentException("segment shape does not match the engine");
        }
        int layers = p.layers();
        int h = p.hidden();
        int n = steps * batch;
        float[][] hostMasks = new float[layers][];
        for (int l = 1; l < layers; l++) {
            hostMasks[l] = new float[n * h];
        }
        float[] hostOutputMask = new float[n * h];
        DropoutMasks.draw(seed, 0, batch, steps, h, p.keepInput(), p.keepOutput(), hostMasks, hostOutputMask);
        // Rows are time-major, [step][batch row], as in the masks.
        INDArray inputOneHot = oneHot(inputs, steps, p.vocabulary());
        INDArray targetOneHot = oneHot(targets, steps, p.vocabulary());

        Activations[] states = new Activations[layers];
        INDArray[] layerInputs = new INDArray[layers];
        INDArray[] masks = new INDArray[layers];
        INDArray table = param(0, "W").mmul(param(1, "W")).addiRowVector(param(1, "b"));
        INDArray below = null;
        for (int l = 0; l < layers; l++) {
            INDArray pre;
            if (l == 0) {
                pre = inputOneHot.mmul(table);
            } else {
                masks[l] = Nd4j.createFromArray(hostMasks[l]).reshape(n, h);
                layerInputs[l] = below.mul(masks[l]);
                pre = layerInputs[l].mmul(param(l + 1, "W")).addiRowVector(param(l + 1, "b"));
            }
            states[l] = forward(l, pre, steps);
            below = states[l].outputs();
        }

        INDArray outputMask = Nd4j.createFromArray(hostOutputMask).reshape(n, h);
        INDArray outputIn = below.mul(outputMask);
        int out = layers + 1;
        INDArray logits = outputIn.mmul(param(out, "W")).addiRowVector(param(out, "b"));
        INDArray shifted = logits.subColumnVector(logits.max(1).reshape(n, 1));
        INDArray logSum = Transforms.log(Transforms.exp(shifted, true).sum(1), false).reshape(n, 1);
        INDArray logProbs = shifted.subiColumnVector(logSum);
        double loss = -logProbs.mul(targetOneHot).sumNumber().doubleValue();
        INDArray dLogits = Transforms.exp(logProbs, true).subi(targetOneHot).muli(lossScale);
        gradient(out, "W").assign(outputIn.transpose().mmul(dLogits));
        gradient(out, "b").assign(dLogits.sum(0).reshape(gradient(out, "b").shape()));
        INDArray dBelow = dLogits.mmul(param(out, "W").transpose()).muli(outputMask);

        for (int l = layers - 1; l >= 0; l--) {
            INDArray dZ = backward(l, states[l], dBelow, steps);
            gradient(l + 1, "RW").assign(states[l].previousOutputs().transpose().mmul(dZ));
            gradient(l + 1, "b").assign(dZ.sum(0).reshape(gradient(l + 1, "b").shape()));
            if (l > 0) {
                INDArray w = param(l + 1, "W");
                gradient(l + 1, "W").assign(layerInputs[l].transpose().mmul(dZ));
                dBelow = dZ.mmul(w.transpose()).muli(masks[l]);
            } else {
                // table = embedding · W0 + b0, and the table's rows are picked by the one-hot inputs
                INDArray dTable = inputOneHot.transpose().mmul(dZ);
                gradient(1, "W").assign(param(0, "W").transpose().mmul(dTable));
                gradient(0, "W").assign(dTable.mmul(param(1, "W").transpose()));
            }
        }
        for (int l = 0; l < layers; l++) {
            carriedH[l] = states[l].lastH();
            carriedC[l] = states[l].lastC();
        }
        return loss * lossScale / batch;
    }

    /** One layer's activations over the segment, time-major rows. */
    private record Activations(INDArray[] gates, INDArray[] cells, INDArray[] tanhCells, INDArray[] hidden,
                               INDArray lastH, INDArray lastC) {
        /** h(0) … h(T-1), stacked: what each step's recurrent product read. */
        INDArray previousOutputs() {
            return Nd4j.vstack(java.util.Arrays.copyOfRange(hidden, 0, hidden.length - 1));
        }

        /** h(1) … h(T), stacked: the layer's output. */
        INDArray outputs() {
            return Nd4j.vstack(java.util.Arrays.copyOfRange(hidden, 1, hidden.length));
        }
    }

    private Activations forward(int l, INDArray pre, int steps) {
        INDArray rw = param(l + 1, "RW");
        INDArray[] gates = new INDArray[steps];
        INDArray[] cells = new INDArray[steps + 1];
        INDArray[] tanhCells = new INDArray[steps];
        INDArray[] hidden = new INDArray[steps + 1];
        cells[0] = carriedC[l];
        hidden[0] = carriedH[l];
        for (int t = 0; t < steps; t++) {
            INDArray z = rows(pre, t).add(hidden[t].mmul(rw));
            INDArray in = Transforms.tanh(block(z, Gate.BLOCK_INPUT), true);
            INDArray forget = Transforms.sigmoid(block(z, Gate.FORGET), true);
            INDArray output = Transforms.sigmoid(block(z, Gate.OUTPUT), true);
            INDArray inputGate = Transforms.sigmoid(block(z, Gate.INPUT), true);
            gates[t] = Nd4j.hstack(in, forget, output, inputGate);
            cells[t + 1] = forget.mul(cells[t]).addi(inputGate.mul(in));
            tanhCells[t] = Transforms.tanh(cells[t + 1], true);
            hidden[t + 1] = output.mul(tanhCells[t]);
        }
        return new Activations(gates, cells, tanhCells, hidden, hidden[steps], cells[steps]);
    }

    /** Back through one layer's steps from dLoss/dh per step; returns dLoss/dz (pre-activations), time-major. */
    private INDArray backward(int l, Activations s, INDArray dH, int steps) {
        INDArray rwT = param(l + 1, "RW").transpose();
        INDArray dhNext = Nd4j.zeros(DataType.FLOAT, batch, p.hidden());
        INDArray dcNext = Nd4j.zeros(DataType.FLOAT, batch, p.hidden());
        INDArray[] dZ = new INDArray[steps];
        for (int t = steps - 1; t >= 0; t--) {
            INDArray g = s.gates()[t];
            INDArray in = block(g, Gate.BLOCK_INPUT);
            INDArray forget = block(g, Gate.FORGET);
            INDArray output = block(g, Gate.OUTPUT);
            INDArray inputGate = block(g, Gate.INPUT);
            INDArray tanhC = s.tanhCells()[t];
            INDArray dh = rows(dH, t).add(dhNext);
            INDArray dc = dh.mul(output).muli(oneMinusSquare(tanhC)).addi(dcNext);
            INDArray dIn = dc.mul(inputGate).muli(oneMinusSquare(in));
            INDArray dForget = dc.mul(s.cells()[t]).muli(forget).muli(forget.rsub(1f));
            INDArray dOutput = dh.mul(tanhC).muli(output).muli(output.rsub(1f));
            INDArray dInputGate = dc.mul(in).muli(inputGate).muli(inputGate.rsub(1f));
            dZ[t] = Nd4j.hstack(dIn, dForget, dOutput, dInputGate);
            dcNext = dc.mul(forget);
            dhNext = dZ[t].mmul(rwT);
        }
        return Nd4j.vstack(dZ);
    }

    private static INDArray oneMinusSquare(INDArray x) {
        return x.mul(x).rsubi(1f);
    }

    /** One {@link Gate}'s block of a [rows][4H] array. */
    private INDArray block(INDArray gates, Gate gate) {
        int h = p.hidden();
        return gates.get(NDArrayIndex.all(), NDArrayIndex.interval(gate.offset(h), gate.offset(h) + h));
    }

    private INDArray rows(INDArray timeMajor, int t) {
        return timeMajor.get(NDArrayIndex.interval((long) t * batch, (long) (t + 1) * batch), NDArrayIndex.all());
    }

    private INDArray oneHot(int[][] ids, int steps, int vocabulary) {
        float[] host = new float[steps * batch * vocabulary];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int id = ids[b][t];
                if (id < 0 || id >= vocabulary) {
                    throw new IllegalArgumentException("character id " + id + " outside the vocabulary of " + vocabulary);
                }
                host[(t * batch + b) * vocabulary + id] = 1f;
            }
        }
        return Nd4j.createFromArray(host).reshape(steps * batch, vocabulary);
    }

    /** A parameter of layer {@code layer}, in DL4J's own shape ([nIn, nOut] for weights, [1, n] for biases). */
    private INDArray param(int layer, String name) {
        return net.getLayer(layer).getParam(name);
    }

    private INDArray gradient(int layer, String name) {
        INDArray view = gradients.get(layer + "_" + name);
        if (view == null) {
            throw new IllegalStateException("no gradient view for layer " + layer + " parameter " + name);
        }
        return view;
    }

    @Override
    public void close() {
        // Nothing native of its own: every array belongs to ND4J's memory management.
    }
}
