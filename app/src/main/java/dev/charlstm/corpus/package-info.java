/**
 * The training text: the train/validation/test split (over the library's vocabulary and
 * normalisation, {@code dev.charlstm.text}) and the random chunks that make minibatches.
 * <b>Internal</b>: public classes here serve the other packages, not outside programs.
 *
 * <p>Depends on {@code io} (the corpus's SHA-256) and the library's {@code text}, plus ND4J for
 * the chunk arrays. Used by {@code train} and {@code cli}.
 */
package dev.charlstm.corpus;
