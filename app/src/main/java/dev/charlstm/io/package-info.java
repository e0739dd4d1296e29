/**
 * Atomic file writes: a reader sees either the old content or the new, never half of either.
 * <b>Internal</b>.
 *
 * <p>A leaf: depends on the JDK only, and must stay that way.
 * Used by {@code model}, {@code scrape}, {@code train} and {@code cli}.
 */
package dev.charlstm.io;
