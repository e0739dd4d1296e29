package dev.charlstm.train;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * An off-heap float array and row-major single-precision matrix products on such arrays, through
 * the OpenBLAS build that ND4J's CPU backend already loads.
 *
 * <p>BLAS needs memory the garbage collector will not move, and JavaCPP would copy a Java array on
 * every call; so whatever a product reads or writes is staged here explicitly, and the caller
 * decides what crosses between the heap and native memory, and when.
 */
final class NativeFloats implements AutoCloseable {

    private final FloatPointer base;
    private final long length;

    NativeFloats(long length) {
        if (length < 1) {
            throw new IllegalArgumentException("length must be positive, got " + length);
        }
        this.base = new FloatPointer(length);
        this.length = length;
    }

    /** A pointer to element {@code offset}, for a BLAS call. */
    FloatPointer at(long offset) {
        if (offset < 0 || offset >= length) {
            throw new IndexOutOfBoundsException(offset + " outside [0, " + length + ")");
        }
        return new FloatPointer(base).position(base.position() + offset);
    }

    void put(long offset, float[] src, int srcOffset, int count) {
        checkRange(offset, count);
        at(offset).put(src, srcOffset, count);
    }

    void get(long offset, float[] dst, int dstOffset, int count) {
        checkRange(offset, count);
        at(offset).get(dst, dstOffset, count);
    }

    /** Copies {@code count} floats starting at native address {@code source}. */
    void copyFrom(Pointer source, long count) {
        checkRange(0, count);
        Pointer.memcpy(base, source, count * Float.BYTES);
    }

    private void checkRange(long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > length) {
            throw new IndexOutOfBoundsException("[" + offset + ", " + (offset + count) + ") outside [0, " + length + ")");
        }
    }

    @Override
    public void close() {
        base.deallocate();
    }

    /** {@code c = a·b + beta·c} with {@code a} m×k (or its transpose), {@code b} k×n (or its transpose), row-major. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, FloatPointer a, int lda, FloatPointer b,
                     int ldb, float beta, FloatPointer c, int ldc) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, 1f, a, lda, b, ldb, beta, c, ldc);
    }

    /** Caps OpenBLAS's own threads (process-wide); the caller parallelises across batch rows instead. */
    static void blasThreads(int threads) {
        openblas_nolapack.blas_set_num_threads(threads);
    }

    /** OpenBLAS's current thread count, to restore after {@link #blasThreads(int)}. */
    static int blasThreads() {
        return openblas_nolapack.blas_get_num_threads();
    }
}
