package dev.charlstm.model;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Which ND4J backend is loaded, and how many threads it may use.
 *
 * <pre>{@code
 * Backend.useThreads(1);
 * log.info("ND4J backend: {}", Backend.name());   // "cpu" or "cuda"
 * }</pre>
 */
public final class Backend {

    private Backend() {}

    /** "cpu" for nd4j-native, "cuda" for nd4j-cuda, otherwise the backend's class name. */
    public static String name() {
        String cls = Nd4j.getBackend().getClass().getSimpleName();
        if (cls.startsWith("Cpu")) {
            return "cpu";
        }
        if (cls.contains("Cublas") || cls.contains("Cuda")) {
            return "cuda";
        }
        return cls;
    }

    /**
     * Caps the OpenMP and BLAS threads ND4J uses. On small recurrent networks the per-call
     * overhead dominates and extra threads cost more to wake than they save, so the caller picks.
     *
     * @param threads at least 1; 0 keeps ND4J's default
     */
    public static void useThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        if (threads == 0) {
            return;
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** The thread count ND4J's native code currently runs with. */
    public static int threads() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }
}
