package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.List;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/** Reads {@code <details>} FAQs: the question in the {@code <summary>}, the answer in the rest. */
final class DetailsShape {

    private DetailsShape() {}

    static List<Entry> read(Document doc, DropLog drops) {
        List<Entry> entries = new ArrayList<>();
        // A details inside another one is part of that one's answer.
        for (Element details : Outermost.matching(doc, "details")) {
            if (!PageRegions.isContent(details)) {
                continue;
            }
            Element summary = details.children().stream().filter(c -> c.normalName().equals("summary"))
                    .findFirst().orElse(null);
            if (summary != null) {
                summary.remove();
            }
            EntryReader.read(summary, List.of(details), drops).ifPresent(entries::add);
        }
        return entries;
    }
}
