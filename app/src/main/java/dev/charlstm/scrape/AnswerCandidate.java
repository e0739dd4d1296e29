package dev.charlstm.scrape;

import java.util.List;
import java.util.Set;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;

/**
 * Tells an answer from a widget built with the same markup, such as a filter panel of checkboxes
 * in an accordion: a candidate answer whose every word sits in a form control, a label, a button
 * or a link is not an answer.
 */
final class AnswerCandidate {

    /** Form controls: their presence alone marks a candidate without words as a widget. */
    private static final Set<String> FORM_CONTROLS = Set.of("input", "select", "textarea", "button", "option");

    /** Elements whose words belong to a control rather than to prose. */
    private static final Set<String> CONTROL_TEXT = Set.of(
            "input", "select", "textarea", "button", "option", "label", "legend", "a");

    private static final Set<String> CONTROL_ROLES = Set.of(
            "button", "checkbox", "radio", "switch", "menuitem", "tab", "link", "option");

    private AnswerCandidate() {}

    /** Whether {@code parts}, taken together as one answer, are made only of controls, labels, buttons or links. */
    static boolean isOnlyControls(List<Element> parts) {
        int[] prose = {0};
        int[] control = {0};
        boolean[] hasFormControl = {false};
        for (Element part : parts) {
            int[] depth = {0};
            NodeTraversor.filter(new NodeFilter() {
                @Override
                public FilterResult head(Node node, int d) {
                    if (node instanceof Element element && isControl(element)) {
                        depth[0]++;
                        hasFormControl[0] |= FORM_CONTROLS.contains(element.normalName());
                    } else if (node instanceof TextNode text) {
                        int letters = (int) text.getWholeText().codePoints().filter(Character::isLetterOrDigit).count();
                        if (depth[0] > 0) {
                            control[0] += letters;
                        } else {
                            prose[0] += letters;
                        }
                    }
                    return FilterResult.CONTINUE;
                }

                @Override
                public FilterResult tail(Node node, int d) {
                    if (node instanceof Element element && isControl(element)) {
                        depth[0]--;
                    }
                    return FilterResult.CONTINUE;
                }
            }, part);
        }
        return prose[0] == 0 && (control[0] > 0 || hasFormControl[0]);
    }

    private static boolean isControl(Element element) {
        return CONTROL_TEXT.contains(element.normalName()) || CONTROL_ROLES.contains(element.attr("role"));
    }
}
