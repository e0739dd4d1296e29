/**
 * The trained network at rest on the training side: reading and writing {@code model.zip} with
 * DL4J's entries and the plain weights beside them ({@code ModelFile}, {@code upgrade-model}),
 * where each weight sits in DL4J's flattened vector ({@code ParameterLayout}), the per-character
 * cross-entropy, validation loss over a whole text, and the ND4J backend in use. <b>Internal</b>.
 *
 * <p>Depends on {@code io} and the library ({@code format}, {@code network}, {@code generate}'s
 * exception), plus DL4J and ND4J. Used by {@code train} and {@code cli}.
 */
package dev.charlstm.model;
