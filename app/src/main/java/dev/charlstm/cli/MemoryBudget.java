package dev.charlstm.cli;

import dev.charlstm.train.TrainConfig;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * What training a configuration will take in memory, checked against this JVM's limits before
 * anything is allocated: {@code hidden_size: 8000} otherwise ends, minutes later, in a raw
 * {@code OutOfMemoryError} from deep inside ND4J.
 *
 * <p>An estimate, deliberately on the low side so that it never refuses a network that would
 * have trained: ND4J's arrays (off the Java heap, in JavaCPP memory) hold the weights, their
 * gradient and Adam's two moments, plus a copy of the best weights, 4 bytes each; and per
 * truncated-BPTT segment the activations of every layer (the four gates, cell and output of
 * each LSTM step, forward and backward) and of the softmax. The Java heap holds the plain-Java
 * sampler's copy of the weights and the serialised checkpoint (weights and both moments) while it
 * is written.
 */
final class MemoryBudget {

    /** Bytes per parameter off the heap: weights, gradient, 2 Adam moments, the best weights. */
    static final int NATIVE_BYTES_PER_PARAMETER = 5 * Float.BYTES;
    /** Bytes per parameter on the heap: the sampler's weights and a serialised checkpoint (3 arrays). */
    static final int HEAP_BYTES_PER_PARAMETER = 4 * Float.BYTES;

    /** The limits one JVM runs under, in bytes (0 = no limit). */
    record Limits(long heap, long nativeBytes, long physicalBytes) {
        /** This JVM's: -Xmx, -Dorg.bytedeco.javacpp.maxbytes and -Dorg.bytedeco.javacpp.maxphysicalbytes. */
        static Limits ofThisJvm() {
            return new Limits(Runtime.getRuntime().maxMemory(), Pointer.maxBytes(),
                    Pointer.maxPhysicalBytes());
        }
    }

    private MemoryBudget() {}

    /** Parameters of the network {@code NetworkFactory} builds for {@code c}. */
    static long parameters(TrainConfig c, int vocabulary) {
        long e = c.embeddingSize();
        long h = c.hiddenSize();
        long params = vocabulary * e;                           // embedding, no bias
        for (int layer = 0; layer < c.layers(); layer++) {
            long in = layer == 0 ? e : h;
            params += 4 * h * (in + h) + 4 * h;                 // input and recurrent weights, bias, per gate
        }
        return params + h * vocabulary + vocabulary;            // softmax weights and bias
    }

    /** Native bytes: parameter arrays plus one segment's activations. */
    static long nativeBytes(TrainConfig c, int vocabulary) {
        long rows = (long) c.batchSize() * c.tbpttLength();
        long activations = rows * c.layers() * 6L * c.hiddenSize() * Float.BYTES * 2   // gates, c, h; fwd + bwd
                + rows * vocabulary * Float.BYTES * 2;                                  // logits and their gradient
        return parameters(c, vocabulary) * NATIVE_BYTES_PER_PARAMETER + activations;
    }

    static long heapBytes(TrainConfig c, int vocabulary) {
        return parameters(c, vocabulary) * HEAP_BYTES_PER_PARAMETER;
    }

    /**
     * Refuses a configuration that cannot fit, saying what it needs, what is allowed, and the
     * largest {@code hidden_size} that would fit with every other key unchanged.
     *
     * @throws IllegalArgumentException when it does not fit
     */
    static void check(TrainConfig c, int vocabulary, Limits limits) {
        String problem = problem(c, vocabulary, limits);
        if (problem == null) {
            return;
        }
        int fits = largestHiddenSizeThatFits(c, vocabulary, limits);
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "hidden_size=%d with layers=%d makes %,d parameters, too many for this JVM: %s; %s, "
                        + "or raise the limits with CHARLSTM_JAVA_OPTS (see README)",
                c.hiddenSize(), c.layers(), parameters(c, vocabulary), problem,
                fits > 0 ? "hidden_size=" + fits + " is the largest that fits" : "no hidden_size fits"));
    }

    private static String problem(TrainConfig c, int vocabulary, Limits limits) {
        long nativeNeed = nativeBytes(c, vocabulary);
        long heapNeed = heapBytes(c, vocabulary);
        if (limits.nativeBytes() > 0 && nativeNeed > limits.nativeBytes()) {
            return "training needs about " + gb(nativeNeed) + " of native memory and "
                    + "-Dorg.bytedeco.javacpp.maxbytes allows " + gb(limits.nativeBytes());
        }
        if (limits.heap() > 0 && heapNeed > limits.heap()) {
            return "training needs about " + gb(heapNeed) + " of Java heap and -Xmx allows " + gb(limits.heap());
        }
        if (limits.physicalBytes() > 0 && nativeNeed + heapNeed > limits.physicalBytes()) {
            return "training needs about " + gb(nativeNeed + heapNeed) + " in all and "
                    + "-Dorg.bytedeco.javacpp.maxphysicalbytes allows " + gb(limits.physicalBytes());
        }
        return null;
    }

    private static int largestHiddenSizeThatFits(TrainConfig c, int vocabulary, Limits limits) {
        int lo = 0;
        int hi = c.hiddenSize();
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (problem(c.with("hidden_size", mid), vocabulary, limits) == null) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
