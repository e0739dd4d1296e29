package dev.charlstm.model;

import dev.charlstm.network.Gate;
import dev.charlstm.network.LstmShape;
import dev.charlstm.network.LstmWeights;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * Where each weight of an embedding → LSTM × n → softmax network sits in DL4J's flattened
 * parameter vector (and, identically, in its flattened gradient vector), and which dropout each
 * layer applies to its input.
 *
 * <p>DL4J stores a weight matrix of shape [nIn, nOut] in column-major order, which is the
 * row-major [nOut][nIn] transpose: a {@link Matrix} here is that row-major view, so BLAS reads
 * the vector in place.
 */
public record ParameterLayout(int vocabulary, int embedding, int hidden, int layers, Matrix embeddingWeights,
                       List<Matrix> inputWeights, List<Matrix> recurrentWeights,
                       List<Matrix> biases, Matrix outputWeights, Matrix outputBias, float[] keepInput,
                       float keepOutput, long length) {

    /** A row-major block {@code rows × cols} at {@code offset} of the flattened vector. */
    public record Matrix(int offset, int rows, int cols) {
        public int size() {
            return rows * cols;
        }
    }

    /** The width of a gate row: the four {@link Gate} blocks of the hidden size, in DL4J's order. */
    public int gates() {
        return Gate.width(hidden);
    }

    /** The network this layout describes, as the library and the plain weights entry know it. */
    public LstmShape shape() {
        return new LstmShape(vocabulary, embedding, hidden, layers);
    }

    /**
     * The weights in {@code params} (DL4J's flattened vector of this layout) as plain row-major
     * tensors, {@code x·W} shaped: each matrix here is DL4J's column-major [nIn, nOut], so it is
     * read transposed.
     */
    public LstmWeights weights(float[] params) {
        if (params.length != length) {
            throw new IllegalArgumentException("expected " + length + " parameters, got " + params.length);
        }
        List<float[]> tensors = new ArrayList<>();
        tensors.add(transposed(params, embeddingWeights));
        for (int l = 0; l < layers; l++) {
            tensors.add(transposed(params, inputWeights.get(l)));
            tensors.add(transposed(params, recurrentWeights.get(l)));
            tensors.add(transposed(params, biases.get(l)));
        }
        tensors.add(transposed(params, outputWeights));
        tensors.add(transposed(params, outputBias));
        return LstmWeights.of(shape(), tensors);
    }

    /** The weights of {@code net} as plain tensors ({@link #weights(float[])}). */
    public static LstmWeights weightsOf(MultiLayerNetwork net) {
        return of(net).weights(net.params().dup().data().asFloat());
    }

    /** The row-major [cols][rows] copy of a row-major [rows][cols] block (a vector stays as it is). */
    private static float[] transposed(float[] params, Matrix m) {
        float[] out = new float[m.size()];
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                out[c * m.rows() + r] = params[m.offset() + r * m.cols() + c];
            }
        }
        return out;
    }

    /**
     * Reads the layout of {@code net}.
     *
     * @throws IllegalArgumentException naming what this engine does not compute the way DL4J
     *                                  would: another architecture, activation, dropout kind,
     *                                  regularisation or data type
     */
    public static ParameterLayout of(MultiLayerNetwork net) {
        int n = net.getnLayers();
        require(n >= 3, "expected embedding, LSTM and output layers, found " + n + " layers");
        require(net.params().dataType() == DataType.FLOAT, "parameters must be 32-bit floats");
        Layer emb = net.getLayer(0);
        require(emb.conf().getLayer() instanceof EmbeddingSequenceLayer, "layer 0 is not an embedding sequence layer");
        require(((BaseLayer) emb.conf().getLayer()).getActivationFn() instanceof ActivationIdentity,
                "the embedding must have the identity activation");
        requirePlain(emb, false);
        int vocabulary = (int) ((EmbeddingSequenceLayer) emb.conf().getLayer()).getNIn();
        int embedding = (int) ((EmbeddingSequenceLayer) emb.conf().getLayer()).getNOut();
        int layers = n - 2;
        int hidden = (int) net.layerSize(1);
        Matrix embW = weights(net, emb, "W", vocabulary, embedding);
        require(!emb.paramTable().containsKey("b"), "an embedding with a bias is not supported");
        List<Matrix> w = new ArrayList<>();
        List<Matrix> rw = new ArrayList<>();
        List<Matrix> b = new ArrayList<>();
        float[] keep = new float[layers];
        for (int l = 0; l < layers; l++) {
            Layer lstm = net.getLayer(l + 1);
            require(lstm.conf().getLayer() instanceof LSTM, "layer " + (l + 1) + " is not an LSTM");
            LSTM conf = (LSTM) lstm.conf().getLayer();
            require(conf.getActivationFn() instanceof ActivationTanH && conf.getGateActivationFn() instanceof ActivationSigmoid,
                    "LSTM layer " + (l + 1) + " must use tanh with sigmoid gates");
            require(net.layerSize(l + 1) == hidden, "all LSTM layers must have the same size");
            requirePlain(lstm, true);
            keep[l] = keep(lstm);
            int in = l == 0 ? embedding : hidden;
            w.add(weights(net, lstm, "W", in, 4 * hidden));
            rw.add(weights(net, lstm, "RW", hidden, 4 * hidden));
            b.add(bias(net, lstm, "b", 4 * hidden));
        }
        Layer out = net.getLayer(n - 1);
        require(out.conf().getLayer() instanceof RnnOutputLayer
                && ((BaseLayer) out.conf().getLayer()).getActivationFn() instanceof ActivationSoftmax,
                "the last layer must be a softmax output layer");
        requirePlain(out, true);
        require(net.layerSize(n - 1) == vocabulary, "the output layer must have one unit per vocabulary character");
        require(keep[0] == 1f, "dropout on the first LSTM layer's input (the embedding) is not supported");
        return new ParameterLayout(vocabulary, embedding, hidden, layers, embW, List.copyOf(w), List.copyOf(rw),
                List.copyOf(b), weights(net, out, "W", hidden, vocabulary), bias(net, out, "b", vocabulary), keep,
                keep(out), net.params().length());
    }

    private static Matrix weights(MultiLayerNetwork net, Layer layer, String name, int nIn, int nOut) {
        INDArray view = layer.getParam(name);
        require(view != null && view.rank() == 2 && view.size(0) == nIn && view.size(1) == nOut,
                "layer " + layer.getIndex() + " parameter " + name + " is not [" + nIn + ", " + nOut + "]");
        require(view.ordering() == 'f' && view.stride(0) == 1 && view.stride(1) == nIn,
                "layer " + layer.getIndex() + " parameter " + name + " is not a contiguous column-major view");
        return new Matrix(offset(net, view), nOut, nIn);
    }

    private static Matrix bias(MultiLayerNetwork net, Layer layer, String name, int n) {
        INDArray view = layer.getParam(name);
        require(view != null && view.length() == n && view.elementWiseStride() == 1,
                "layer " + layer.getIndex() + " parameter " + name + " is not a contiguous vector of " + n);
        return new Matrix(offset(net, view), 1, n);
    }

    private static int offset(MultiLayerNetwork net, INDArray view) {
        return Math.toIntExact(view.offset() - net.params().offset());
    }

    private static float keep(Layer layer) {
        IDropout dropout = ((BaseLayer) layer.conf().getLayer()).getIDropout();
        if (dropout == null) {
            return 1f;
        }
        require(dropout instanceof Dropout d && d.getPSchedule() == null,
                "layer " + layer.getIndex() + " uses " + dropout + "; only plain dropout is supported");
        return (float) ((Dropout) dropout).getP();
    }

    /**
     * No weight noise, constraints or regularisation that enters the gradient: the gradient is the
     * loss's alone. Weight decay is allowed, because DL4J's updater applies it after the Adam step.
     */
    private static void requirePlain(Layer layer, boolean dropoutAllowed) {
        BaseLayer conf = (BaseLayer) layer.conf().getLayer();
        String where = "layer " + layer.getIndex();
        require(conf.getWeightNoise() == null, where + " uses weight noise");
        require(conf.getConstraints() == null || conf.getConstraints().isEmpty(), where + " has constraints");
        require(onlyWeightDecay(conf.getRegularization()), where + " is regularised other than by weight decay");
        require(onlyWeightDecay(conf.getRegularizationBias()), where + " has bias regularisation other than weight decay");
        require(dropoutAllowed || conf.getIDropout() == null, where + " uses dropout");
    }

    private static boolean onlyWeightDecay(List<Regularization> regularization) {
        return regularization == null || regularization.stream().allMatch(r -> r instanceof WeightDecay);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
