/**
 * Small file and byte helpers every layer shares, so each job is done one way: atomic file writes
 * (a reader sees either the old content or the new, never half of either), SHA-256 fingerprints,
 * strict UTF-8 decoding that refuses malformed input, and the one Jackson configuration
 * ({@code Json}). <b>Internal</b>.
 *
 * <p>A leaf: depends on the JDK and Jackson only, and must stay that way.
 * Used by {@code corpus}, {@code model}, {@code scrape}, {@code train}, {@code serve} and {@code cli}.
 */
package dev.charlstm.io;
