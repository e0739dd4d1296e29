package dev.charlstm.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;

class FaqExtractorTest {

    private static FaqExtractor.Extraction extract(String bodyHtml) {
        return FaqExtractor.extract(Jsoup.parse("<html><body>" + bodyHtml + "</body></html>"), "test page");
    }

    private static String accordion(String... headerThenPanelHtml) {
        StringBuilder html = new StringBuilder("<div class=\"uw-accordion\">");
        for (int i = 0; i < headerThenPanelHtml.length; i += 2) {
            html.append("<h2 class=\"uw-accordion-header\">").append(headerThenPanelHtml[i]).append("</h2>")
                    .append("<div class=\"uw-accordion-panel\"><div class=\"uw-accordion-panel-inner\">")
                    .append(headerThenPanelHtml[i + 1]).append("</div></div>");
        }
        return html.append("</div>").toString();
    }

    @Test
    void keepsTypographicCharactersAsTheyAre() {
        String text = extract(accordion("What’s “social distancing”?",
                "<p>Stay 6 feet apart — that’s about 2 m… ½ of the rule. Emoji: 😷</p>")).text();

        assertThat(text).isEqualTo("What’s “social distancing”?\nStay 6 feet apart — that’s about 2 m… ½ of the rule. Emoji: 😷\n");
    }

    @Test
    void collapsesWhitespaceIncludingNoBreakSpacesWithinALine() {
        String text = extract(accordion("  Tabs\tand\n newlines?  ",
                "<p>one&nbsp;&nbsp;two\u2003three <br> four</p>")).text();

        assertThat(text).isEqualTo("Tabs and newlines?\none two three four\n");
    }

    @Test
    void givesNestedListItemsAndBareTextTheirOwnLines() {
        String text = extract(accordion("Q?",
                "Bare intro text<ul><li>a<ol><li>a1</li><li>a2 <a href=\"#\">link</a></li></ol></li><li>b</li></ul>"
                        + "<div>In a div</div><table><tr><td>cell 1</td><td>cell 2</td></tr></table>")).text();

        assertThat(text).isEqualTo("Q?\nBare intro text\na\na1\na2 link\nb\nIn a div\ncell 1 cell 2\n");
    }

    @Test
    void noEmptyLinesInsideEntriesAndOneBlankLineBetween() {
        String text = extract(accordion("One?", "<p>  </p><p>1</p><p>&nbsp;</p><ul><li></li></ul>",
                "Two?", "<p>2</p>")).text();

        assertThat(text).isEqualTo("One?\n1\n\nTwo?\n2\n");
    }

    @Test
    void keepsAQuestionWithoutAnswerAndAnAnswerWithoutQuestion() {
        String html = "<div class=\"uw-accordion\">"
                + "<h3 class=\"uw-accordion-header\">Unanswered?</h3>"
                + "<h3 class=\"uw-accordion-header\">Answered?</h3>"
                + "<div class=\"uw-accordion-panel\"><p>Yes.</p></div>"
                + "<div class=\"uw-accordion-panel\"><p>Orphan answer.</p></div>"
                + "</div>";

        FaqExtractor.Extraction extraction = extract(html);

        assertThat(extraction.text()).isEqualTo("Unanswered?\n\nAnswered?\nYes.\n\nOrphan answer.\n");
        assertThat(extraction.entries()).hasSize(3);
    }

    @Test
    void aNestedAccordionStaysPartOfItsAnswer() {
        String inner = accordion("Sub-question?", "<p>Sub-answer.</p>");
        String text = extract(accordion("Outer?", "<p>Outer answer.</p>" + inner)).text();

        assertThat(text).isEqualTo("Outer?\nOuter answer.\nSub-question?\nSub-answer.\n");
    }

    @Test
    void headerClassOnBothHeadingAndButtonCountsOnce() {
        String html = "<div class=\"uw-accordion\"><h2 class=\"uw-accordion-header\">"
                + "<button class=\"uw-accordion-header\">Twice marked?</button></h2>"
                + "<div class=\"uw-accordion-panel\"><p>Once read.</p></div></div>";

        assertThat(extract(html).text()).isEqualTo("Twice marked?\nOnce read.\n");
    }

    @Test
    void lastUpdatedParagraphsGoWhateverTheirCase() {
        String text = extract(accordion("Q?", "<p>LAST UPDATED: today</p><p><em>Last Updated</em> 3/4</p>"
                + "<p>An updated answer, last updated never.</p>")).text();

        assertThat(text).isEqualTo("Q?\nAn updated answer, last updated never.\n");
    }

    @Test
    void fallbackPrefersMainThenArticleThenContentThenBody() {
        assertThat(extract("<p>outside</p><article><p>in article</p></article><main><p>in main</p></main>").text())
                .isEqualTo("in main\n");
        assertThat(extract("<p>outside</p><div id=\"content\"><p>in content</p></div><article><p>in article</p></article>")
                .text()).isEqualTo("in article\n");
        assertThat(extract("<p>outside</p><div id=\"content\"><p>in content</p></div>").text())
                .isEqualTo("in content\n");
        assertThat(extract("<nav><p>menu</p></nav><p>just body</p><footer><p>foot</p></footer>").text())
                .isEqualTo("just body\n");
    }

    @Test
    void anAccordionWithoutTextFallsBack() {
        FaqExtractor.Extraction extraction =
                extract("<main><div class=\"uw-accordion\"><p class=\"show-for-sr\">Accordion</p></div><p>Body.</p></main>");

        assertThat(extraction.report().shape()).isEqualTo(ExtractionReport.Shape.MAIN_CONTENT);
        assertThat(extraction.text()).isEqualTo("Body.\n");
    }

    @Test
    void nothingToReadIsEmpty() {
        FaqExtractor.Extraction extraction = extract("<main><h1>Title only</h1><script>var x = 1;</script></main>");

        assertThat(extraction.isEmpty()).isTrue();
        assertThat(extraction.text()).isEmpty();
    }
}
