/**
 * The trained network at rest and its loss: the {@code model.zip} format and its metadata, the
 * per-character cross-entropy, validation loss over a whole text, the ND4J backend in use, and
 * vectorised float maths shared by both forward passes. <b>Internal</b>.
 *
 * <p>May depend on {@code io} only (atomic writes), plus DL4J, ND4J and Jackson.
 * Used by {@code generate}, {@code train} and {@code cli}.
 */
package dev.charlstm.model;
