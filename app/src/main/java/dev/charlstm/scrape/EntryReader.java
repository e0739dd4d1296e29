package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jsoup.nodes.Element;

/** Reads one FAQ entry from the elements of its question and its answer, whatever the page shape. */
final class EntryReader {

    /**
     * Never answer text: forms and buttons, and the labels of form fields. A link styled as a button
     * ({@code <a role="button">}) stays: its words are often part of a sentence.
     */
    private static final String CONTROLS =
            "form, button, input, select, textarea, label[for], label:has(input, select, textarea)";

    private EntryReader() {}

    /**
     * The entry of {@code question} (null for an answer without a question) and {@code answer} (empty
     * for a question without an answer); empty when the answer is a widget rather than an answer.
     */
    static Optional<Entry> read(Element question, List<Element> answer, DropLog drops) {
        if (!answer.isEmpty() && AnswerCandidate.isOnlyControls(answer)) {
            String what = question == null ? answerText(answer) : TextLines.flat(question) + ": " + answerText(answer);
            drops.add(ChromeRule.CONTROLS, what);
            return Optional.empty();
        }
        String questionText = question == null ? "" : QuestionText.of(question, drops);
        List<String> lines = new ArrayList<>();
        for (Element part : answer) {
            lines.addAll(answerLines(part, drops));
        }
        Entry entry = new Entry(questionText, lines);
        return entry.isEmpty() ? Optional.empty() : Optional.of(entry);
    }

    /** The lines of an answer block, controls and inline stamps ("Updated 3/1") taken out. */
    static List<String> answerLines(Element part, DropLog drops) {
        PageCleaner.dropAll(Outermost.matching(part, CONTROLS), ChromeRule.CONTROLS, drops);
        for (Element inline : Outermost.matching(part, "*", element -> !isShallowInline(element))) {
            String text = TextLines.flat(inline);
            // Capitalised only: "the <b>updated</b> rules" is a word of the sentence, not a stamp.
            // When the whole line is the stamp, the line goes later, date and all.
            if (!text.isEmpty() && Character.isUpperCase(text.codePointAt(0)) && Stamp.matches(text)
                    && !Stamp.matches(TextLines.flat(block(inline)))) {
                drops.add(ChromeRule.STAMP, text);
                inline.remove();
            }
        }
        return TextLines.of(part);
    }

    /**
     * An inline element holding at most one more level of elements, as a stamp does ("Updated
     * <time>3/1</time>"); anything deeper is searched inside rather than read whole.
     */
    private static boolean isShallowInline(Element element) {
        return TextLines.isInline(element) && element.children().stream().allMatch(c -> c.children().isEmpty());
    }

    /** The nearest ancestor that makes a line of its own. */
    private static Element block(Element inline) {
        Element block = inline;
        while (TextLines.isInline(block) && block.parent() != null) {
            block = block.parent();
        }
        return block;
    }

    private static String answerText(List<Element> answer) {
        StringBuilder text = new StringBuilder();
        for (Element part : answer) {
            text.append(TextLines.flat(part)).append(' ');
        }
        return TextLines.collapse(text);
    }
}
