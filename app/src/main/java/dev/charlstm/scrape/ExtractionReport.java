package dev.charlstm.scrape;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What the FAQ extractor decided on a page: which page shape it read, how many entries it found
 * and which blocks of chrome it dropped, by which rule.
 *
 * <pre>{@code
 * ExtractionReport report = FaqScraper.snapshot().extraction();
 * System.out.println(report.summary());
 * int badges = report.dropped(ChromeRule.DECORATION);
 * }</pre>
 *
 * @param shape   the page shape the entries were read from
 * @param entries number of entries in the corpus text
 * @param drops   what was dropped: each distinct text once per rule, with how often it was dropped
 */
public record ExtractionReport(Shape shape, int entries, List<Drop> drops) {

    /** The page shapes the extractor reads, in the order it prefers them. */
    public enum Shape {
        /** schema.org {@code FAQPage} JSON-LD: the page's own machine-readable list of questions. */
        JSON_LD("schema.org FAQPage JSON-LD"),
        /** Accordions: a header per question (heading or button) controlling a panel holding the answer. */
        ACCORDION("accordion"),
        /** {@code <details>} elements, the question in their {@code <summary>}. */
        DETAILS("details/summary"),
        /** Definition lists: the question in a {@code <dt>}, the answer in the {@code <dd>}s after it. */
        DEFINITION_LIST("dl/dt/dd"),
        /** No FAQ markup: headings and the paragraphs and list items under them in the main content. */
        MAIN_CONTENT("main content headings and paragraphs"),
        /** The text was not extracted from a page (a plain text file). */
        NONE("none");

        private final String description;

        Shape(String description) {
            this.description = description;
        }

        /** The shape in a few words, as logged. */
        public String description() {
            return description;
        }
    }

    /**
     * One kind of dropped block.
     *
     * @param rule  why it was dropped
     * @param text  its text, shortened to at most 80 characters (empty for a block without text)
     * @param count how many times it was dropped
     */
    public record Drop(ChromeRule rule, String text, int count) {
        public Drop {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(text, "text");
            if (count < 1) {
                throw new IllegalArgumentException("count must be at least 1, got " + count);
            }
        }
    }

    public ExtractionReport {
        Objects.requireNonNull(shape, "shape");
        drops = List.copyOf(drops);
        if (entries < 0) {
            throw new IllegalArgumentException("entries must not be negative, got " + entries);
        }
    }

    /** The report for a text that was not extracted from a page. */
    public static ExtractionReport notExtracted(int entries) {
        return new ExtractionReport(Shape.NONE, entries, List.of());
    }

    /** Blocks dropped by {@code rule}. */
    public int dropped(ChromeRule rule) {
        return drops.stream().filter(d -> d.rule() == rule).mapToInt(Drop::count).sum();
    }

    /** Blocks dropped by every rule together. */
    public int dropped() {
        return drops.stream().mapToInt(Drop::count).sum();
    }

    /** Blocks dropped per rule, rules without drops left out, in the order of {@link ChromeRule}. */
    public Map<ChromeRule, Integer> droppedByRule() {
        Map<ChromeRule, Integer> byRule = new EnumMap<>(ChromeRule.class);
        for (Drop drop : drops) {
            byRule.merge(drop.rule(), drop.count(), Integer::sum);
        }
        return byRule;
    }

    /** One line: entries, shape and blocks dropped per rule. */
    public String summary() {
        Map<ChromeRule, Integer> byRule = droppedByRule();
        String rules = byRule.isEmpty() ? "" : byRule.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().id())
                .collect(Collectors.joining(", ", ": ", ""));
        return entries + " entries from the " + shape.description() + "; dropped " + dropped() + " chrome blocks"
                + rules;
    }
}
