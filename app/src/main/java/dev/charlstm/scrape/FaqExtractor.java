package dev.charlstm.scrape;

import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.jsoup.nodes.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the questions and answers in a FAQ page by its structure and meaning rather than by one
 * theme's class names, the way readability-style extractors find an article.
 *
 * <p>It prefers the page shapes that say most reliably what a question is: schema.org
 * {@code FAQPage} JSON-LD, then accordions, {@code <details>}, definition lists, and last the
 * headings and paragraphs of the main content. Chrome is dropped by the rules of
 * {@link ChromeRule}, and the {@link ExtractionReport} says what was found and dropped; both go
 * to the log for every page.
 */
final class FaqExtractor {

    private static final Logger log = LoggerFactory.getLogger(FaqExtractor.class);

    /** The HTML shapes, in the order they are tried once the page is cleaned. */
    private static final List<Reader> HTML_SHAPES = List.of(
            new Reader(ExtractionReport.Shape.ACCORDION, AccordionShape::read),
            new Reader(ExtractionReport.Shape.DETAILS, DetailsShape::read),
            new Reader(ExtractionReport.Shape.DEFINITION_LIST, DefinitionListShape::read),
            new Reader(ExtractionReport.Shape.MAIN_CONTENT, MainContentShape::read));

    private record Reader(ExtractionReport.Shape shape, BiFunction<Document, DropLog, List<Entry>> read) {}

    /** The entries found and the report of what was decided on the way. */
    record Extraction(List<Entry> entries, ExtractionReport report) {

        boolean isEmpty() {
            return entries.isEmpty();
        }

        /** Corpus text: entry lines joined by newlines, a blank line between entries, one final newline. */
        String text() {
            if (entries.isEmpty()) {
                return "";
            }
            return entries.stream().map(entry -> String.join("\n", entry.lines()))
                    .collect(Collectors.joining("\n\n")) + "\n";
        }
    }

    private FaqExtractor() {}

    /** Extracts the FAQ from {@code doc}, which is cleaned in place; {@code where} names the page in log lines. */
    static Extraction extract(Document doc, String where) {
        DropLog jsonLdDrops = new DropLog();
        List<Entry> entries = Boilerplate.strip(JsonLdShape.read(doc, jsonLdDrops), jsonLdDrops);
        if (!entries.isEmpty()) {
            log.info("{}: using its schema.org FAQPage JSON-LD ({} questions), the most reliable source of a page's "
                    + "questions and answers; the page's HTML was not read", where, entries.size());
            return report(where, entries, ExtractionReport.Shape.JSON_LD, jsonLdDrops);
        }
        DropLog pageDrops = new DropLog();
        PageCleaner.clean(doc, pageDrops);
        for (Reader reader : HTML_SHAPES) {
            DropLog drops = new DropLog();
            entries = Boilerplate.strip(reader.read().apply(doc, drops), drops).stream()
                    .filter(entry -> !entry.isEmpty()).toList();
            if (!entries.isEmpty()) {
                if (reader.shape() == ExtractionReport.Shape.MAIN_CONTENT) {
                    log.warn("No FAQ accordion, details, definition list or FAQPage JSON-LD with text found in {}; "
                            + "fell back to the headings, paragraphs and list items of the main content ({} entries)",
                            where, entries.size());
                }
                pageDrops.addAll(drops);
                return report(where, entries, reader.shape(), pageDrops);
            }
        }
        return report(where, List.of(), ExtractionReport.Shape.NONE, pageDrops);
    }

    private static Extraction report(String where, List<Entry> entries, ExtractionReport.Shape shape, DropLog drops) {
        ExtractionReport report = new ExtractionReport(shape, entries.size(), drops.drops());
        log.info("{}: {}", where, report.summary());
        for (ExtractionReport.Drop drop : report.drops()) {
            boolean pageLevel = drop.rule() == ChromeRule.HIDDEN || drop.rule() == ChromeRule.SCREEN_READER_ONLY;
            String line = "{}: dropped {} time{} by rule {} ({}): \"{}\"";
            Object[] args = {where, drop.count(), drop.count() == 1 ? "" : "s", drop.rule().id(),
                    drop.rule().description(), drop.text()};
            if (pageLevel) {
                log.debug(line, args);
            } else {
                log.info(line, args);
            }
        }
        return new Extraction(entries, report);
    }
}
