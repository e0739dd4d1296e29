package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the questions and answers in a FAQ page.
 *
 * <p>The UW theme renders each question as an {@code .uw-accordion-header} (an h2 or h3, or after
 * its script has run, a button inside one) followed by an {@code .uw-accordion-panel} holding the
 * answer. Pages without such accordions fall back to the paragraphs and list items of the main
 * content, headings starting new entries.
 */
final class FaqExtractor {

    private static final Logger log = LoggerFactory.getLogger(FaqExtractor.class);

    private static final String HEADER = "uw-accordion-header";
    private static final String ACCORDION_PARTS =
            ".uw-accordion ." + HEADER + ", .uw-accordion .uw-accordion-panel";
    private static final String HEADINGS = "h1, h2, h3, h4, h5, h6";
    private static final String FALLBACK_BLOCKS = HEADINGS + ", p, li";

    /** The entries found, each a list of non-empty lines, the question first. */
    record Extraction(List<List<String>> entries, boolean fallbackUsed) {

        boolean isEmpty() {
            return entries.isEmpty();
        }

        /** Corpus text: entry lines joined by newlines, a blank line between entries, one final newline. */
        String text() {
            if (entries.isEmpty()) {
                return "";
            }
            return entries.stream().map(lines -> String.join("\n", lines)).collect(Collectors.joining("\n\n")) + "\n";
        }
    }

    private FaqExtractor() {}

    /** Extracts the FAQ from {@code doc}, which is cleaned in place; {@code where} names the page in log lines. */
    static Extraction extract(Document doc, String where) {
        PageCleaner.clean(doc);
        List<List<String>> entries = fromAccordions(doc);
        if (!entries.isEmpty()) {
            return new Extraction(entries, false);
        }
        entries = fromMainContent(doc);
        if (!entries.isEmpty()) {
            log.warn("No FAQ accordion (.uw-accordion) with text found in {}; fell back to the paragraphs and "
                    + "list items of the main content ({} entries)", where, entries.size());
        }
        return new Extraction(entries, true);
    }

    private static List<List<String>> fromAccordions(Document doc) {
        List<List<String>> entries = new ArrayList<>();
        List<String> entry = new ArrayList<>();
        boolean entryHasAnswer = false;
        for (Element part : outermost(doc.select(ACCORDION_PARTS))) {
            if (part.hasClass(HEADER)) {
                addIfNotEmpty(entries, entry);
                entry = new ArrayList<>();
                entryHasAnswer = false;
                String question = TextLines.flat(part);
                if (!question.isEmpty()) {
                    entry.add(question);
                }
            } else {
                if (entryHasAnswer) { // a second panel without a header of its own
                    addIfNotEmpty(entries, entry);
                    entry = new ArrayList<>();
                }
                entry.addAll(TextLines.of(part));
                entryHasAnswer = true;
            }
        }
        addIfNotEmpty(entries, entry);
        return entries;
    }

    /**
     * Drops parts nested in other parts: a header inside a header (an h2 and its button both carry
     * the class on some pages) or an accordion nested in an answer, whose text the answer already has.
     */
    private static List<Element> outermost(List<Element> parts) {
        Set<Element> all = Collections.newSetFromMap(new IdentityHashMap<>());
        all.addAll(parts);
        List<Element> outer = new ArrayList<>();
        for (Element part : parts) {
            if (part.parents().stream().noneMatch(all::contains)) {
                outer.add(part);
            }
        }
        return outer;
    }

    private static List<List<String>> fromMainContent(Document doc) {
        Element main = firstPresent(doc.selectFirst("main"), doc.selectFirst("article"), doc.getElementById("content"),
                doc.body());
        if (main == null) {
            return List.of();
        }
        main.select("nav, header, footer, aside, form").remove();
        List<List<String>> entries = new ArrayList<>();
        List<String> entry = new ArrayList<>();
        boolean entryHasBody = false;
        for (Element block : main.select(FALLBACK_BLOCKS)) {
            // Blocks nested in this one (a list inside a list item) get lines of their own.
            String line = TextLines.flat(block, nested -> nested.is(FALLBACK_BLOCKS));
            if (line.isEmpty()) {
                continue;
            }
            if (block.is(HEADINGS)) {
                if (entryHasBody) {
                    entries.add(entry);
                }
                // A heading with nothing under it (a page title before a section heading) is dropped.
                entry = new ArrayList<>();
                entryHasBody = false;
            } else {
                entryHasBody = true;
            }
            entry.add(line);
        }
        if (entryHasBody) {
            entries.add(entry);
        }
        return entries;
    }

    private static void addIfNotEmpty(List<List<String>> entries, List<String> entry) {
        if (!entry.isEmpty()) {
            entries.add(entry);
        }
    }

    private static Element firstPresent(Element... candidates) {
        for (Element candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        return null;
    }
}
