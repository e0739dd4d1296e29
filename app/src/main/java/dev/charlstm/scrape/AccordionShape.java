package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;

/**
 * Reads accordions: a header per question followed by, or controlling, a panel with the answer.
 *
 * <p>A header is known by what it does rather than by one theme's class names: a button or link
 * whose {@code aria-controls} names one panel, or an element whose class says it is an accordion's
 * header, title or toggle ({@code uw-accordion-header}, Bootstrap's {@code accordion-button}, ...).
 * A button inside a heading stands for the heading. Panels are the elements such headers control,
 * and elements whose class says they are an accordion's panel, content or body. A header takes the
 * panel it controls, else the next panel in document order; a part inside another part (a nested
 * accordion in an answer) is read as part of it. Tabs are not headers: their labels are topics.
 */
final class AccordionShape {

    private static final String HEADER_CLASS =
            "[class~=(?i)accordion[-_]*(header|heading|title|trigger|toggle|button)]";
    private static final String PANEL_CLASS = "[class~=(?i)accordion[-_]*(panel|content|body|collapse)]";
    /** Tabs control panels too, but a tab's label is a topic, not a question. */
    private static final String TRIGGERS =
            "button[aria-controls]:not([role=tab]), a[aria-controls]:not([role=tab]), [role=button][aria-controls]";

    private AccordionShape() {}

    static List<Entry> read(Document doc, DropLog drops) {
        Set<Element> headers = identitySet();
        Set<Element> panels = identitySet();
        Map<Element, Element> controlled = new IdentityHashMap<>();
        for (Element header : doc.select(HEADER_CLASS)) {
            headers.add(standIn(header));
        }
        for (Element panel : doc.select(PANEL_CLASS)) {
            panels.add(panel);
        }
        for (Element trigger : doc.select(TRIGGERS)) {
            String id = trigger.attr("aria-controls").trim();
            // An "expand all" button controls several panels and is no question.
            Element panel = id.isEmpty() || id.contains(" ") ? null : doc.getElementById(id);
            if (panel != null && PageRegions.isContent(trigger)) {
                Element header = standIn(trigger);
                headers.add(header);
                panels.add(panel);
                controlled.put(header, panel);
            }
        }
        headers.removeIf(header -> !PageRegions.isContent(header));
        List<Element> parts = outermost(doc, headers, panels);
        Set<Element> outerParts = identitySet();
        outerParts.addAll(parts);
        Set<Element> claimed = identitySet();
        List<Entry> entries = new ArrayList<>();
        Element question = null;
        Element answer = null;
        for (Element part : parts) {
            if (headers.contains(part)) {
                add(question, answer, entries, drops);
                question = part;
                // A header names its panel by aria-controls wherever the panel sits; else the next panel is its.
                answer = outerParts.contains(controlled.get(part)) ? controlled.get(part) : null;
                if (answer != null) {
                    claimed.add(answer);
                }
            } else if (!claimed.contains(part)) {
                if (answer != null) { // a second panel without a header of its own is an entry too
                    add(question, answer, entries, drops);
                    question = null;
                }
                answer = part;
            }
        }
        add(question, answer, entries, drops);
        return entries;
    }

    private static void add(Element question, Element answer, List<Entry> entries, DropLog drops) {
        if (question != null || answer != null) {
            EntryReader.read(question, answer == null ? List.of() : List.of(answer), drops).ifPresent(entries::add);
        }
    }

    /** A header's button or link stands for the heading around it, which is what the panel follows. */
    private static Element standIn(Element header) {
        Element parent = header.parent();
        if (parent != null && parent.normalName().matches("h[1-6]|dt")) {
            return parent;
        }
        return header;
    }

    /** The parts in document order, leaving out parts inside other parts; one pass over the page. */
    private static List<Element> outermost(Document doc, Set<Element> headers, Set<Element> panels) {
        List<Element> parts = new ArrayList<>();
        if (headers.isEmpty() && panels.isEmpty()) {
            return parts;
        }
        NodeTraversor.filter(new NodeFilter() {
            @Override
            public FilterResult head(Node node, int depth) {
                if (node instanceof Element element && (headers.contains(element) || panels.contains(element))) {
                    parts.add(element);
                    return FilterResult.SKIP_ENTIRELY;
                }
                return FilterResult.CONTINUE;
            }

            @Override
            public FilterResult tail(Node node, int depth) {
                return FilterResult.CONTINUE;
            }
        }, doc);
        return parts;
    }

    private static Set<Element> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
