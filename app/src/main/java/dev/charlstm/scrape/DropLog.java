package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects what the extractor drops, merging repeats of the same text under the same rule. */
final class DropLog {

    private static final int MAX_TEXT = 80;

    private record Key(ChromeRule rule, String text) {}

    private final Map<Key, Integer> counts = new LinkedHashMap<>();

    void add(ChromeRule rule, String text) {
        add(rule, text, 1);
    }

    void add(ChromeRule rule, String text, int times) {
        counts.merge(new Key(rule, shorten(TextLines.collapse(text))), times, Integer::sum);
    }

    void addAll(DropLog other) {
        other.counts.forEach((key, n) -> counts.merge(key, n, Integer::sum));
    }

    List<ExtractionReport.Drop> drops() {
        List<ExtractionReport.Drop> drops = new ArrayList<>();
        counts.forEach((key, n) -> drops.add(new ExtractionReport.Drop(key.rule(), key.text(), n)));
        return drops;
    }

    private static String shorten(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 3) + "...";
    }
}
