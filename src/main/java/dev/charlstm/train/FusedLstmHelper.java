package dev.charlstm.train;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.FwdPassReturn;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.layers.recurrent.LSTMHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs a DL4J {@code LSTM} layer's whole segment, forward and backward, through libnd4j's fused
 * {@code lstmLayer} / {@code lstmLayer_bp} ops instead of DL4J's Java loop over time steps.
 *
 * <p>The stock layer makes several native calls per time step in each direction, and at this
 * size their overhead dominates. The layer already looks for a helper before its own loop (it
 * is how cuDNN plugs in), so the network stays a stock DL4J network: same configuration, same
 * parameters, same model files, same results within float tolerance (tested). The ops want
 * the gate blocks in the order input, forget, cell, output; DL4J stores them as block input,
 * forget, output, input gate, so weights are permuted on the way in and gradients on the way out.
 */
final class FusedLstmHelper implements LSTMHelper {

    /** NCW data, forward direction, sigmoid gates, tanh cell and output activations. */
    private static final int[] OP_ARGS = {2, 0, 2, 0, 0};
    /** Where each DL4J gate block goes in the ops' order, and where each of the ops' blocks goes back. */
    private static final int[] TO_OP = {2, 1, 3, 0};
    private static final int[] FROM_OP = {3, 1, 0, 2};

    private INDArray biases;
    /** Segments run forward and backward here (not in DL4J's fallback): for tests and logs. */
    int forwardCalls;
    int backwardCalls;

    /**
     * Puts the fused helper into every LSTM layer of {@code net} that uses sigmoid gates and tanh.
     * Networks must be built or loaded anew for this; clones made later get DL4J's own path.
     */
    static void install(MultiLayerNetwork net) {
        try {
            Field helper = LSTM.class.getDeclaredField("helper");
            helper.setAccessible(true);
            for (Layer layer : net.getLayers()) {
                if (layer instanceof LSTM lstm) {
                    var conf = (org.deeplearning4j.nn.conf.layers.LSTM) lstm.conf().getLayer();
                    FusedLstmHelper fused = new FusedLstmHelper();
                    if (fused.checkSupported(conf.getGateActivationFn(), conf.getActivationFn(), false)) {
                        helper.set(lstm, fused);
                    }
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this DL4J version does not accept an LSTM helper: " + e, e);
        }
    }

    @Override
    public boolean checkSupported(IActivation gate, IActivation activation, boolean peepholes) {
        return gate instanceof ActivationSigmoid && activation instanceof ActivationTanH && !peepholes;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Map.of();
    }

    @Override
    public FwdPassReturn activate(Layer layer, NeuralNetConfiguration conf, IActivation gateActivationFn, INDArray input,
                                  INDArray recurrentWeights, INDArray inputWeights, INDArray biases, boolean training,
                                  INDArray prevOutputActivations, INDArray prevMemCellState, boolean forBackprop,
                                  boolean forwardsDirection, String inputWeightKey, INDArray maskArray,
                                  boolean hasPeepholeConnections, LayerWorkspaceMgr workspaceMgr) {
        if (maskArray != null || !forwardsDirection || hasPeepholeConnections) {
            throw new UnsupportedOperationException("masks, backward direction and peepholes are not supported");
        }
        this.biases = biases; // backprop is not handed the biases, and the op needs them again
        forwardCalls++;
        long batch = input.size(0);
        long hidden = recurrentWeights.size(0);
        INDArray out = workspaceMgr.create(forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.ACTIVATIONS,
                input.dataType(), new long[] {batch, hidden, input.size(2)}, 'c');
        INDArray lastH = Nd4j.create(input.dataType(), batch, hidden);
        INDArray lastC = Nd4j.create(input.dataType(), batch, hidden);
        boolean initialState = prevOutputActivations != null;
        Nd4j.exec(DynamicCustomOp.builder("lstmLayer")
                .addInputs(inputs(input, inputWeights, recurrentWeights, biases,
                        prevOutputActivations, prevMemCellState, null))
                .addOutputs(out, lastH, lastC)
                .addIntegerArguments(OP_ARGS)
                // biases, no lengths, initial h and c when given, no peepholes, return all h, last h and last c
                .addBooleanArguments(true, false, initialState, initialState, false, true, true, true)
                .addFloatingPointArguments(0.0) // no cell clipping
                .build());
        FwdPassReturn result = new FwdPassReturn();
        result.fwdPassOutput = out;
        result.lastAct = lastH;
        result.lastMemCell = lastC;
        result.prevAct = prevOutputActivations;
        result.prevMemCell = prevMemCellState;
        return result;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(NeuralNetConfiguration conf, IActivation gateActivationFn,
                                                     INDArray input, INDArray recurrentWeights, INDArray inputWeights,
                                                     INDArray epsilon, boolean truncatedBPTT, int tbpttBackwardLength,
                                                     FwdPassReturn fwdPass, boolean forwardsDirection,
                                                     String inputWeightKey, String recurrentWeightKey,
                                                     String biasWeightKey, Map<String, INDArray> gradientViews,
                                                     INDArray maskArray, boolean hasPeepholeConnections,
                                                     LayerWorkspaceMgr workspaceMgr) {
        boolean initialState = fwdPass.prevAct != null;
        backwardCalls++;
        long batch = input.size(0);
        long hidden = recurrentWeights.size(0);
        INDArray dInput = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        INDArray dInputWeights = Nd4j.create(inputWeights.dataType(), inputWeights.shape());
        INDArray dRecurrentWeights = Nd4j.create(recurrentWeights.dataType(), recurrentWeights.shape());
        INDArray dBiases = Nd4j.create(biases.dataType(), biases.length());
        List<INDArray> outputs = new ArrayList<>(List.of(dInput, dInputWeights, dRecurrentWeights, dBiases));
        if (initialState) {
            // Gradients for the carried-in state: truncated BPTT drops them, but the op writes them.
            outputs.add(Nd4j.create(input.dataType(), batch, hidden));
            outputs.add(Nd4j.create(input.dataType(), batch, hidden));
        }
        Nd4j.exec(DynamicCustomOp.builder("lstmLayer_bp")
                .addInputs(inputs(input, inputWeights, recurrentWeights, biases,
                        fwdPass.prevAct, fwdPass.prevMemCell, epsilon))
                .addOutputs(outputs.toArray(new INDArray[0]))
                .addIntegerArguments(OP_ARGS)
                .addBooleanArguments(true, false, initialState, initialState, false, true, false, false)
                .addFloatingPointArguments(0.0)
                .build());
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(inputWeightKey, reorder(dInputWeights, FROM_OP, gradientViews.get(inputWeightKey)));
        gradient.gradientForVariable().put(recurrentWeightKey,
                reorder(dRecurrentWeights, FROM_OP, gradientViews.get(recurrentWeightKey)));
        gradient.gradientForVariable().put(biasWeightKey, reorder(dBiases, FROM_OP, gradientViews.get(biasWeightKey)));
        return new Pair<>(gradient, dInput);
    }

    private static INDArray[] inputs(INDArray input, INDArray inputWeights, INDArray recurrentWeights, INDArray biases,
                                     INDArray initialH, INDArray initialC, INDArray epsilon) {
        List<INDArray> in = new ArrayList<>(List.of(input.dup('c'),
                reorder(inputWeights, TO_OP, null), reorder(recurrentWeights, TO_OP, null), reorder(biases, TO_OP, null)));
        if (initialH != null) {
            in.add(initialH);
            in.add(initialC);
        }
        if (epsilon != null) {
            in.add(epsilon.dup('c'));
        }
        return in.toArray(new INDArray[0]); // one call: the op builder checks the input count per call
    }

    /**
     * Copies the four gate blocks of {@code from} (last dimension) so that block {@code i} lands at
     * {@code order[i]}, into {@code to} (a new array when null).
     */
    static INDArray reorder(INDArray from, int[] order, INDArray to) {
        INDArray src = from.rank() == 1 ? from.reshape(1, from.length()) : from;
        INDArray dst = Nd4j.create(src.dataType(), src.shape());
        long block = src.size(1) / 4;
        for (int i = 0; i < 4; i++) {
            dst.get(NDArrayIndex.all(), NDArrayIndex.interval(order[i] * block, (order[i] + 1) * block))
                    .assign(src.get(NDArrayIndex.all(), NDArrayIndex.interval(i * block, (i + 1) * block)));
        }
        if (to == null) {
            return from.rank() == 1 ? dst.reshape(from.length()) : dst;
        }
        to.assign(dst.reshape(to.shape())); // into DL4J's gradient view, whatever its shape and ordering
        return to;
    }
}
