package dev.charlstm.scrape;

/**
 * The rules by which the FAQ extractor drops page chrome, named in its log and in
 * {@link ExtractionReport}. None of them depends on a page's class names, apart from the
 * conventional screen-reader-only classes.
 */
public enum ChromeRule {

    /** Text a screen reader never reads: {@code aria-hidden="true"}, {@code hidden}, {@code display:none}. */
    HIDDEN("hidden", "text a screen reader never reads"),
    /** Text meant only for screen readers ({@code .show-for-sr}, {@code .sr-only}, ...). */
    SCREEN_READER_ONLY("screen-reader-only", "text meant only for screen readers"),
    /** Form controls and buttons in an answer, or a whole candidate answer made only of controls, labels or links. */
    CONTROLS("controls", "form controls, or a candidate answer made only of controls, labels, buttons or links"),
    /** Badges, icons and counters before or after a question's own text. */
    DECORATION("decoration", "a badge, icon or counter around a question"),
    /** "Last updated …" stamps. */
    STAMP("stamp", "a \"Last updated ...\" stamp"),
    /** Lines that recur at the start or end of many answers: feedback, share, print, back-to-top widgets. */
    REPEATED("repeated", "boilerplate repeated at the edge of many answers");

    private final String id;
    private final String description;

    ChromeRule(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** Short name used in logs and in {@code provenance.json}. */
    public String id() {
        return id;
    }

    /** What the rule drops, in a few words. */
    public String description() {
        return description;
    }
}
