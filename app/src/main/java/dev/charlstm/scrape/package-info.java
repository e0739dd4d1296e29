/**
 * Turns a FAQ page into corpus text with its provenance: fetching within limits, decoding,
 * finding questions and answers by page shape (JSON-LD, accordions, details, definition lists,
 * headings), dropping chrome and boilerplate, and the bundled snapshot. <b>Internal</b>: the
 * entry points are {@code FaqScraper}, {@code ScrapeResult} and {@code CorpusFiles}.
 *
 * <p>May depend on {@code io} only, plus Jsoup and Jackson.
 * Used by {@code train} (to resolve the {@code corpus} setting) and {@code cli}.
 */
package dev.charlstm.scrape;
