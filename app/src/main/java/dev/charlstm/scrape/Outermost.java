package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.select.Evaluator;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.QueryParser;

/**
 * Finds the outermost elements matching a selector in one pass over a tree, without asking each
 * match for its ancestors: on a hostile page of 100,000 nested matches, asking would take
 * 100,000 walks of up to 100,000 steps.
 */
final class Outermost {

    private Outermost() {}

    /** The outermost elements under {@code root} (itself included) matching {@code selector}, in document order. */
    static List<Element> matching(Element root, String selector) {
        return matching(root, selector, element -> false);
    }

    /**
     * As {@link #matching(Element, String)}, but a match that {@code lookInside} accepts is not
     * returned; the search goes on inside it instead.
     */
    static List<Element> matching(Element root, String selector, Predicate<Element> lookInside) {
        Evaluator evaluator = QueryParser.parse(selector);
        List<Element> found = new ArrayList<>();
        NodeTraversor.filter(new NodeFilter() {
            @Override
            public FilterResult head(Node node, int depth) {
                // Not element.is(evaluator): that walks up to the root for every element.
                if (node instanceof Element element && evaluator.matches(root, element)) {
                    if (lookInside.test(element)) {
                        return FilterResult.CONTINUE;
                    }
                    found.add(element);
                    return FilterResult.SKIP_ENTIRELY;
                }
                return FilterResult.CONTINUE;
            }

            @Override
            public FilterResult tail(Node node, int depth) {
                return FilterResult.CONTINUE;
            }
        }, root);
        return found;
    }
}
