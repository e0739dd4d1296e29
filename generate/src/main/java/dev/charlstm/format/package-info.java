/**
 * The {@code model.zip} contract shared by the writer (the application's {@code train}) and the
 * reader (this library): the metadata entry ({@link dev.charlstm.format.ModelMetadata}) and the
 * plain float32 weights with their layout ({@link dev.charlstm.format.PlainWeights}).
 * docs/model-format.md describes every entry. <b>Internal</b>: public for the application.
 *
 * <p>Depends on {@code network} and jackson-jr.
 */
package dev.charlstm.format;
