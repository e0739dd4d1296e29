/**
 * The one network charlstm trains and samples, defined once: its shape and named tensors
 * ({@link dev.charlstm.network.LstmShape}), its weights as plain arrays
 * ({@link dev.charlstm.network.LstmWeights}, with the embedding folded into the first layer's
 * input), the gate blocks in DL4J's order ({@link dev.charlstm.network.Gate}) and the cell's
 * arithmetic ({@link dev.charlstm.network.LstmCell}, {@link dev.charlstm.network.FastMath32}).
 * Training's engines in the application and the library's sampler both compute through it; each
 * keeps its own memory layout. <b>Internal</b>: public for the application, not for other programs.
 *
 * <p>Depends on the JDK only.
 */
package dev.charlstm.network;
