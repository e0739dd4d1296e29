/**
 * The training text as a model sees it: the vocabulary, the normalisation that folds any text
 * onto it, the train/validation/test split and the random chunks that make minibatches.
 * <b>Internal</b>: public classes here serve the other packages, not outside programs.
 *
 * <p>Depends on {@code io} only (for the corpus's SHA-256), plus ND4J for the chunk arrays.
 * Used by {@code generate}, {@code train}, {@code serve} and {@code cli}.
 */
package dev.charlstm.corpus;
