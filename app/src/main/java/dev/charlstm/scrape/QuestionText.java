package dev.charlstm.scrape;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * A question is its header's own text, not the decorations around it: a badge such as "New" or
 * "Updated", an icon such as "+" or "▸", a counter such as "(3)".
 *
 * <p>A decoration is a short inline element at the very start or end of the header's text. Since
 * words inside a question can be marked up too ("What is <em>PCR</em>?", "plans for fall
 * <b>2021</b>"), an edge element counts as a decoration only when it is an icon (no letters or
 * digits) or a counter in brackets, or when it is a capitalised word in a generic wrapper
 * ({@code span}, {@code small}, {@code mark}, ...) or after a question that is already complete
 * ("...?").
 */
final class QuestionText {

    private static final int MAX_DECORATION_CHARS = 24;
    private static final int MAX_DECORATION_WORDS = 3;

    /** Inline elements without meaning of their own, which is what badges are built from. */
    private static final Set<String> GENERIC = Set.of("span", "small", "mark", "sup", "sub", "i", "b", "font");

    private static final Pattern COMPLETE = Pattern.compile(".*[?.!:)]$");
    private static final Pattern COUNTER = Pattern.compile("[(\\[]\\d+[)\\]]");

    private QuestionText() {}

    /** The question of {@code header}, decorations removed from it and noted in {@code drops}. */
    static String of(Element header, DropLog drops) {
        Element content = innermostWrapper(header);
        boolean changed = true;
        while (changed) {
            changed = dropEdge(content, false, drops) | dropEdge(content, true, drops);
        }
        return TextLines.flat(header);
    }

    /** Descends through elements that hold all of the header's text (the button inside a heading, say). */
    private static Element innermostWrapper(Element header) {
        Element content = header;
        List<Node> parts = meaningful(content);
        while (parts.size() == 1 && parts.get(0) instanceof Element only) {
            content = only;
            parts = meaningful(content);
        }
        return content;
    }

    private static boolean dropEdge(Element content, boolean last, DropLog drops) {
        List<Node> parts = meaningful(content);
        if (parts.size() < 2) {
            return false;
        }
        Node edge = last ? parts.get(parts.size() - 1) : parts.get(0);
        if (!(edge instanceof Element candidate) || !TextLines.isInline(candidate)) {
            return false;
        }
        String text = TextLines.flat(candidate);
        String rest = restText(parts, edge);
        if (rest.isEmpty() || !isDecoration(candidate, text, rest, last)) {
            return false;
        }
        if (!text.isEmpty()) {
            drops.add(ChromeRule.DECORATION, text);
        }
        candidate.remove();
        return true;
    }

    private static boolean isDecoration(Element candidate, String text, String rest, boolean last) {
        if (text.length() > MAX_DECORATION_CHARS || text.split(" ").length > MAX_DECORATION_WORDS
                || text.endsWith("?")) {
            return false;
        }
        boolean generic = GENERIC.contains(candidate.normalName());
        if (text.codePoints().noneMatch(Character::isLetterOrDigit) || COUNTER.matcher(text).matches()) {
            return true; // an icon, an arrow, a counter such as "(3)"
        }
        if (text.codePoints().noneMatch(Character::isLetter)) {
            // A bare number is a counter only in a badge after a complete question; "fall <b>2021</b>" is a word.
            return last && generic && COMPLETE.matcher(rest).matches();
        }
        if (!Character.isUpperCase(text.codePointAt(0))) {
            return false; // "a test" continues the sentence; badges are capitalised
        }
        if (last) {
            return generic || COMPLETE.matcher(rest).matches();
        }
        return generic && Character.isUpperCase(rest.codePointAt(0));
    }

    private static String restText(List<Node> parts, Node except) {
        StringBuilder rest = new StringBuilder();
        for (Node part : parts) {
            if (part != except) {
                rest.append(part instanceof Element e ? TextLines.flat(e) : ((TextNode) part).getWholeText())
                        .append(' ');
            }
        }
        return TextLines.collapse(rest);
    }

    /** Child nodes with something to show: text that is not blank, or elements. */
    private static List<Node> meaningful(Element parent) {
        return parent.childNodes().stream()
                .filter(n -> n instanceof Element || (n instanceof TextNode t && !t.isBlank()))
                .toList();
    }
}
