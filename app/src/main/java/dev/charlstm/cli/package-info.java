/**
 * The {@code charlstm} command line: {@code train}, {@code sample}, {@code evaluate},
 * {@code serve}, {@code scrape}, {@code bench}, {@code loadtest}; argument parsing, exit codes,
 * JSON output, the memory check before training, the output-directory lock and logging set-up.
 * <b>Internal</b>: nothing here is for other programs except the {@code Main} entry points.
 *
 * <p>The top of the graph: may depend on every other package; none may depend on it.
 */
package dev.charlstm.cli;
