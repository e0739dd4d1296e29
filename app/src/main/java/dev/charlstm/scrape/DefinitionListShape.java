package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.List;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/** Reads definition-list FAQs: the question in a {@code <dt>}, the answer in the {@code <dd>}s after it. */
final class DefinitionListShape {

    private DefinitionListShape() {}

    static List<Entry> read(Document doc, DropLog drops) {
        List<Entry> entries = new ArrayList<>();
        // A list inside another one is part of that one's answer.
        for (Element list : Outermost.matching(doc, "dl")) {
            if (!PageRegions.isContent(list)) {
                continue;
            }
            Element question = null;
            List<Element> answer = new ArrayList<>();
            for (Element item : items(list)) {
                if (item.normalName().equals("dt")) {
                    add(question, answer, entries, drops);
                    question = item;
                    answer = new ArrayList<>();
                } else if (item.normalName().equals("dd")) {
                    answer.add(item);
                }
            }
            add(question, answer, entries, drops);
        }
        return entries;
    }

    /** The list's dt and dd elements, including those grouped in a {@code div} as HTML allows. */
    private static List<Element> items(Element list) {
        List<Element> items = new ArrayList<>();
        for (Element child : list.children()) {
            if (child.normalName().equals("div")) {
                items.addAll(child.children());
            } else {
                items.add(child);
            }
        }
        return items;
    }

    private static void add(Element question, List<Element> answer, List<Entry> entries, DropLog drops) {
        if (question != null || !answer.isEmpty()) {
            EntryReader.read(question, answer, drops).ifPresent(entries::add);
        }
    }
}
