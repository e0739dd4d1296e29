package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;

/**
 * Reads the text of HTML as corpus lines: every block (paragraph, list item, heading, ...) becomes a
 * line of its own, inline markup such as links keeps its text within the line.
 *
 * <p>Whitespace inside a line is collapsed to single spaces; every other character is kept as it is,
 * since folding typographic characters is a later step's decision.
 */
final class TextLines {

    /** Elements that flow within a line; every other element starts and ends one. */
    private static final Set<String> INLINE = Set.of(
            "a", "abbr", "b", "bdi", "bdo", "button", "cite", "code", "data", "del", "dfn", "em", "font", "i",
            "img", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
            "sup", "time", "tt", "u", "var", "wbr");

    /** Elements that separate words without ending the line (a table row stays one line). */
    private static final Set<String> WORD_BREAKS = Set.of("br", "td", "th");

    private TextLines() {}

    /** Whether {@code element} flows within a line rather than making a block of its own. */
    static boolean isInline(Element element) {
        return INLINE.contains(element.normalName());
    }

    /** The lines of {@code root}, one per block, empty ones left out. */
    static List<String> of(Element root) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        NodeTraversor.filter(new NodeFilter() {
            @Override
            public FilterResult head(Node node, int depth) {
                if (node instanceof TextNode text) {
                    line.append(text.getWholeText());
                } else if (node instanceof Element element) {
                    if (WORD_BREAKS.contains(element.normalName())) {
                        line.append(' ');
                    } else if (!INLINE.contains(element.normalName())) {
                        flush(line, lines);
                    }
                }
                return FilterResult.CONTINUE;
            }

            @Override
            public FilterResult tail(Node node, int depth) {
                if (node instanceof Element element) {
                    if (WORD_BREAKS.contains(element.normalName())) {
                        line.append(' ');
                    } else if (!INLINE.contains(element.normalName())) {
                        flush(line, lines);
                    }
                }
                return FilterResult.CONTINUE;
            }
        }, root);
        flush(line, lines);
        return lines;
    }

    /** All the text of {@code root} as one line. */
    static String flat(Element root) {
        return flat(root, element -> false);
    }

    /** The text of {@code root} as one line, leaving out descendants that {@code skip} accepts. */
    static String flat(Element root, Predicate<Element> skip) {
        StringBuilder text = new StringBuilder();
        NodeTraversor.filter(new NodeFilter() {
            @Override
            public FilterResult head(Node node, int depth) {
                if (node instanceof TextNode textNode) {
                    text.append(textNode.getWholeText());
                } else if (node instanceof Element element && node != root) {
                    if (skip.test(element)) {
                        text.append(' ');
                        return FilterResult.SKIP_ENTIRELY;
                    }
                    if (!INLINE.contains(element.normalName())) {
                        text.append(' ');
                    }
                }
                return FilterResult.CONTINUE;
            }

            @Override
            public FilterResult tail(Node node, int depth) {
                if (node instanceof Element element && node != root && !INLINE.contains(element.normalName())) {
                    text.append(' ');
                }
                return FilterResult.CONTINUE;
            }
        }, root);
        return collapse(text);
    }

    /** Runs of whitespace (including no-break and other Unicode spaces) become one space; ends are trimmed. */
    static String collapse(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean pendingSpace = false;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = out.length() > 0;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    private static void flush(StringBuilder line, List<String> lines) {
        String collapsed = collapse(line);
        if (!collapsed.isEmpty()) {
            lines.add(collapsed);
        }
        line.setLength(0);
    }
}
