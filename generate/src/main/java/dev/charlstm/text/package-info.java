/**
 * Text as a model reads it: the vocabulary ({@link dev.charlstm.text.Vocabulary}) and the
 * normalisation that folds any text onto it ({@link dev.charlstm.text.TextNormalizer}), used alike
 * on the training corpus and on the prompts a model is given. <b>Internal</b>: public for the
 * application.
 *
 * <p>Depends on the JDK only.
 */
package dev.charlstm.text;
