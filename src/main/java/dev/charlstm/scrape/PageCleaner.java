package dev.charlstm.scrape;

import java.util.Locale;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/** Removes from a FAQ page everything that is not question or answer text. */
final class PageCleaner {

    /** Never text a reader reads as part of an answer: code, widgets and screen-reader-only hints. */
    private static final String NOISE = String.join(", ",
            "script", "style", "noscript", "template", "iframe", "svg", "form", "input", "select", "textarea",
            ".show-for-sr", ".screen-reader-text", ".sr-only", ".visually-hidden", ".last-updated");

    private static final String ACCORDION_PARTS = ".uw-accordion, .uw-accordion-header, .uw-accordion-panel";

    private PageCleaner() {}

    static void clean(Document doc) {
        doc.select(NOISE).remove();
        for (Element button : doc.select("button")) {
            // Filter and expand/collapse widgets go; the question itself sits in the header's button.
            if (button.closest(".uw-accordion-header") == null) {
                button.remove();
            }
        }
        for (Element badge : doc.select(".badge, .updated")) {
            // An "Updated" marker class on an accordion part itself must not take the FAQ with it.
            if (!badge.is(ACCORDION_PARTS) && badge.selectFirst(ACCORDION_PARTS) == null) {
                badge.remove();
            }
        }
        for (Element paragraph : doc.select("p")) {
            if (TextLines.flat(paragraph).toLowerCase(Locale.ROOT).startsWith("last updated")) {
                paragraph.remove();
            }
        }
    }
}
