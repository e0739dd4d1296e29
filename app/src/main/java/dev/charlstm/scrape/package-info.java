/**
 * Turns a FAQ page into corpus text with its provenance: fetching within limits, decoding,
 * finding questions and answers by page shape (JSON-LD, accordions, details, definition lists,
 * headings), dropping chrome and boilerplate, and the bundled snapshot. <b>Internal</b>: the
 * entry points are {@code FaqScraper} and {@code ScrapeResult}, whose
 * {@link dev.charlstm.scrape.ScrapeResult#sourceText() sourceText()} is the
 * {@code corpus.SourceText} that the corpus files and training take.
 *
 * <p>May depend on {@code corpus} (the text with its provenance) and {@code io} only, plus Jsoup
 * and Jackson. Used by {@code cli} alone, which resolves the {@code corpus} setting for training.
 */
package dev.charlstm.scrape;
