package dev.charlstm.scrape;

import dev.charlstm.corpus.Provenance;
import dev.charlstm.corpus.SourceText;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The corpus text of a FAQ page and where it came from.
 *
 * <p>The text holds one entry per question: the question on its first line, then one line per
 * answer paragraph or list item, entries separated by a blank line, ending with a single newline.
 *
 * <pre>{@code
 * ScrapeResult r = FaqScraper.withDefaults().scrape(FaqScraper.DEFAULT_URL);
 * System.out.println(r.entries() + " entries, " + r.provenance().chars() + " chars");
 * r.sourceText().write(Path.of("data/faq.txt")); // and data/faq.txt.provenance.json
 * }</pre>
 *
 * @param text       the corpus text
 * @param provenance where it came from; must describe {@code text}
 * @param entries    number of entries (blank-line separated blocks) in the text
 * @param extraction what the extractor found and dropped; {@link ExtractionReport.Shape#NONE} for a text
 *                   that was not extracted from a page
 */
public record ScrapeResult(String text, Provenance provenance, int entries, ExtractionReport extraction) {

    public ScrapeResult {
        Objects.requireNonNull(extraction, "extraction");
        SourceText.requireValid(text, provenance, entries);
    }

    /** For a text that did not come from the extractor: entries are counted as blank-line separated blocks. */
    public ScrapeResult(String text, Provenance provenance) {
        this(text, provenance, countEntries(Objects.requireNonNull(text, "text")),
                ExtractionReport.notExtracted(countEntries(text)));
    }

    /**
     * Whether this is the bundled offline snapshot, which stands in for the live page when that
     * cannot be fetched. Derived from the provenance, so the two can never disagree.
     */
    public boolean fallbackUsed() {
        return provenance.source().equals("snapshot");
    }

    /** The text with its provenance and what the extractor did, as training and the corpus files take it. */
    public SourceText sourceText() {
        Map<String, Integer> byRule = new LinkedHashMap<>();
        extraction.droppedByRule().forEach((rule, n) -> byRule.put(rule.id(), n));
        String shape = extraction.shape().name().toLowerCase(Locale.ROOT).replace('_', '-');
        return new SourceText(text, provenance, entries,
                new SourceText.Extraction(shape, extraction.entries(), extraction.dropped(), byRule));
    }

    static int countEntries(String text) {
        return SourceText.countEntries(text);
    }
}
