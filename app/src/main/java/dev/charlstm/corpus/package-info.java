/**
 * The training text: as it was prepared ({@code SourceText}, the raw text with its
 * {@code Provenance}, written as a text file with {@code <file>.provenance.json} beside it, and
 * {@code TextSource}, what turns a {@code corpus} setting into one), and as a model sees it (the
 * vocabulary, the normalisation that folds any text onto it, the train/validation/test split and
 * the random chunks that make minibatches). <b>Internal</b>: public classes here serve the other
 * packages, not outside programs.
 *
 * <p>Depends on {@code text} (the vocabulary and normalisation) and {@code io} (atomic writes)
 * only, plus ND4J for the chunk arrays and Jackson for the provenance file.
 * Used by {@code scrape}, {@code train} and {@code cli}.
 */
package dev.charlstm.corpus;
