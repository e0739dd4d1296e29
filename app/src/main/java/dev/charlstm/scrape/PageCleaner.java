package dev.charlstm.scrape;

import java.util.List;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Removes from a whole page what is never corpus text, whatever the page's shape: code, text a
 * screen reader never reads, and text meant only for screen readers.
 */
final class PageCleaner {

    /** Code and embedded objects: never text a reader reads. */
    private static final String CODE = "script, style, noscript, template, iframe, svg, canvas, object, embed";

    /** The conventional classes of text shown to screen readers only. */
    private static final String SCREEN_READER_ONLY =
            ".show-for-sr, .screen-reader-text, .sr-only, .visually-hidden, .visually-hidden-focusable, .element-invisible";

    private static final String HIDDEN = "[aria-hidden=true], [hidden], "
            + "[style~=(?i)(display\\s*:\\s*none|visibility\\s*:\\s*hidden)]";

    private PageCleaner() {}

    /** Cleans {@code doc} in place, noting what it removed in {@code drops}. */
    static void clean(Document doc, DropLog drops) {
        for (Element code : Outermost.matching(doc, CODE)) {
            code.remove();
        }
        dropAll(Outermost.matching(doc, SCREEN_READER_ONLY), ChromeRule.SCREEN_READER_ONLY, drops);
        // Inside a collapsed panel, its own hidden icons are still looked for.
        dropAll(Outermost.matching(doc, HIDDEN, PageCleaner::isCollapsedRegion), ChromeRule.HIDDEN, drops);
    }

    /**
     * A collapsed accordion panel is hidden too until its header is clicked, yet it holds the
     * answer; what sets it apart from an icon or a decoration is that it is a block with words in it.
     */
    private static boolean isCollapsedRegion(Element element) {
        return !TextLines.isInline(element) && element.text().codePoints().anyMatch(Character::isLetterOrDigit);
    }

    /** Removes every element of {@code found}, none inside another, noting those with text under {@code rule}. */
    static void dropAll(List<Element> found, ChromeRule rule, DropLog drops) {
        for (Element element : found) {
            String text = element.text();
            if (!text.isBlank()) {
                drops.add(rule, text);
            }
            element.remove();
        }
    }
}
