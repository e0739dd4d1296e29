package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.List;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Reads a page without FAQ markup: in the main content, each heading starts an entry and the
 * paragraphs and list items under it are its answer. A heading with nothing under it (a page
 * title, a topic heading over questions) is dropped.
 */
final class MainContentShape {

    private static final String HEADINGS = "h1, h2, h3, h4, h5, h6";
    private static final String BLOCKS = HEADINGS + ", p, li";
    private static final String CONTROLS = "form, button, input, select, textarea";

    private MainContentShape() {}

    static List<Entry> read(Document doc, DropLog drops) {
        Element main = PageRegions.main(doc);
        if (main == null) {
            return List.of();
        }
        for (Element frame : Outermost.matching(main, PageRegions.FRAME)) {
            frame.remove();
        }
        PageCleaner.dropAll(Outermost.matching(main, CONTROLS), ChromeRule.CONTROLS, drops);
        List<Entry> entries = new ArrayList<>();
        String question = "";
        List<String> answer = new ArrayList<>();
        for (Element block : main.select(BLOCKS)) {
            // Blocks nested in this one (a list inside a list item) get lines of their own.
            String line = block.is(HEADINGS)
                    ? QuestionText.of(block, drops)
                    : TextLines.flat(block, nested -> nested.is(BLOCKS));
            if (line.isEmpty()) {
                continue;
            }
            if (block.is(HEADINGS)) {
                if (!answer.isEmpty()) {
                    entries.add(new Entry(question, answer));
                }
                question = line;
                answer = new ArrayList<>();
            } else {
                answer.add(line);
            }
        }
        if (!answer.isEmpty()) {
            entries.add(new Entry(question, answer));
        }
        return entries;
    }
}
