package dev.charlstm.scrape;

import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/** The parts of a page that hold its content, as opposed to its navigation and frame. */
final class PageRegions {

    /** Site navigation, banners and footers: never FAQ content, even when built with FAQ markup. */
    static final String FRAME = "nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo]";

    private PageRegions() {}

    /** Whether {@code element} is outside the page's navigation, banner and footer. */
    static boolean isContent(Element element) {
        return element.closest(FRAME) == null;
    }

    /** The main content: {@code main}, else {@code article}, else {@code #content}, else the body. */
    static Element main(Document doc) {
        for (Element candidate : new Element[] {doc.selectFirst("main"), doc.selectFirst("article"),
                doc.getElementById("content"), doc.body()}) {
            if (candidate != null) {
                return candidate;
            }
        }
        return null;
    }
}
